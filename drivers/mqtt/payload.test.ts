import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBeidou } from "./payload.ts";

const now = Date.UTC(2026, 10, 24, 5, 0, 10);
const good = {
  time: "2026-11-24T05:00:00Z",
  fix: "3d",
  position: { lat: 24.81, lon: 113.6, alt: 85 },
  sats: 9,
  battery: 78,
  rdss: { ok: true, beams: [3, 4, 2] },
};
const metrics = (r: ReturnType<typeof decodeBeidou>) =>
  "samples" in r ? Object.fromEntries(r.samples.map((s) => [s.metric, s.value])) : r;

describe("decodeBeidou", () => {
  it("turns a report into samples", () => {
    expect(metrics(decodeBeidou(JSON.stringify(good), now))).toEqual({
      beidou_fix: 3,
      beidou_sats_used: 9,
      beidou_battery_percent: 78,
      beidou_rdss_ok: 1,
      beidou_report_age_seconds: 10,
      beidou_latitude_degrees: 24.81,
      beidou_longitude_degrees: 113.6,
    });
  });

  it("reads epoch-ms times and a report without fix or position", () => {
    const r = metrics(
      decodeBeidou(JSON.stringify({ ...good, time: now, fix: "none", position: null, sats: 0 }), now),
    );
    expect(r).toMatchObject({ beidou_fix: 0, beidou_report_age_seconds: 0 });
    expect(r).not.toHaveProperty("beidou_latitude_degrees");
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["a 3d fix without position", JSON.stringify({ ...good, position: undefined }), /position/],
    ["latitude out of range", JSON.stringify({ ...good, position: { lat: 91, lon: 0 } }), /position.lat/],
    ["battery as text", JSON.stringify({ ...good, battery: "78%" }), /battery/],
    ["unknown fix", JSON.stringify({ ...good, fix: "4d" }), /fix/],
    ["a bad time", JSON.stringify({ ...good, time: "yesterday" }), /time/],
    ["an array", "[1,2]", /root/],
    ["null", "null", /root/],
  ])("discards %s with its reason", (_name, text, reason) => {
    const r = decodeBeidou(text, now);
    expect(r).toHaveProperty("invalid");
    expect((r as { invalid: string }).invalid).toMatch(reason);
  });

  it("never throws on arbitrary bytes, JSON or objects", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.json().map((s) => Buffer.from(s)),
          fc.anything().map((v) => Buffer.from(JSON.stringify(v) ?? "undefined")),
          fc
            .record(
              { ...Object.fromEntries(Object.keys(good).map((k) => [k, fc.anything()])) },
              { requiredKeys: [] },
            )
            .map((v) => Buffer.from(JSON.stringify(v))),
        ),
        (payload) => {
          const r = decodeBeidou(payload, now);
          expect("samples" in r || typeof (r as { invalid: string }).invalid === "string").toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("every valid report gives finite samples within their ranges", () => {
    fc.assert(
      fc.property(
        fc.record({
          time: fc.integer({ min: 0, max: now }),
          fix: fc.constantFrom("2d", "3d"),
          position: fc.record({
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lon: fc.double({ min: -180, max: 180, noNaN: true }),
          }),
          sats: fc.integer({ min: 0, max: 64 }),
          battery: fc.double({ min: 0, max: 100, noNaN: true }),
          rdss: fc.record({ ok: fc.boolean() }),
        }),
        (report) => {
          const r = decodeBeidou(JSON.stringify(report), now);
          expect(r).toHaveProperty("samples");
          for (const s of (r as { samples: { value: number }[] }).samples)
            expect(Number.isFinite(s.value)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
