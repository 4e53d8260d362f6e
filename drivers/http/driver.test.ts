/**
 * The HTTP driver against the http simulator (Digest-protected terminal, HiLink CPE with session
 * token, bearer-protected Ka station) and against raw sockets that answer garbage.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpSimulator } from "../../simulators/http/index.ts";
import type { RunningSimulator } from "../../simulators/registry.ts";
import { systemClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { httpDriver, httpOptions } from "./index.ts";

let sim: RunningSimulator;
const opened: PolledDriver[] = [];
beforeAll(async () => {
  sim = await httpSimulator.start(
    ["video-terminal", "huawei-5g-cpe", "ka-station"].map((profile) => ({
      id: profile,
      kind: "x",
      site: "lab",
      driver: { protocol: "http", profile },
    })),
    { clock: systemClock, log: pino({ level: "silent" }) },
  );
});
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await sim.stop();
});

function driver(id: string, override: Record<string, unknown> = {}): PolledDriver {
  const options = httpOptions.parse({ protocol: "http", profile: id, ...sim.endpoint(id), ...override });
  const d = httpDriver.create(testDevice(id, options), testContext()) as PolledDriver;
  opened.push(d);
  return d;
}
const values = (s: Sample[]) => Object.fromEntries(s.map((x) => [x.metric, x.value]));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the poll to fail");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(PollError);
      return e as PollError;
    },
  );

describe("http driver", () => {
  it("reads a video terminal through Digest auth", async () => {
    const d = driver("video-terminal");
    expect(values(await d.poll(AbortSignal.timeout(2000)))).toEqual({
      vc_registered: 1,
      vc_in_call: 0,
      vc_camera_present: 1,
      vc_microphone_present: 1,
      profile_block_supported: 1,
    });
    sim.inject("video-terminal", "no-camera");
    expect(values(await d.poll(AbortSignal.timeout(2000))).vc_camera_present).toBe(0);
    sim.clear("video-terminal");
    const wrong = driver("video-terminal", { auth: { type: "digest", username: "admin", password: "nope" } });
    expect((await failure(wrong.poll(AbortSignal.timeout(2000)))).kind).toBe("auth");
  });

  it("reads the 5G CPE's HiLink XML with its session token", async () => {
    const v = values(await driver("huawei-5g-cpe").poll(AbortSignal.timeout(2000)));
    expect(v.cpe_connected).toBe(1);
    expect(v.cpe_band).toBe(3);
    expect(v.cpe_rsrp_dbm).toBeLessThan(-80);
    sim.inject("huawei-5g-cpe", "disconnected");
    sim.inject("huawei-5g-cpe", "weak-signal");
    const w = values(await driver("huawei-5g-cpe").poll(AbortSignal.timeout(2000)));
    expect([w.cpe_connected, w.cpe_rsrp_dbm, w.cpe_sinr_db]).toEqual([0, -115, -3]);
    sim.clear("huawei-5g-cpe");
  });

  it("logs in to the HiLink CPE, keeps its session, and logs in again after a reboot", async () => {
    const d = driver("huawei-5g-cpe");
    expect(values(await d.poll(AbortSignal.timeout(2000))).cpe_connected).toBe(1);
    expect(values(await d.poll(AbortSignal.timeout(2000))).cpe_connected).toBe(1);
    expect(sim.inject("huawei-5g-cpe", "reboot")).toBe(true);
    expect(values(await d.poll(AbortSignal.timeout(2000))).cpe_connected).toBe(1);
    const anonymous = driver("huawei-5g-cpe", { auth: undefined });
    const refused = await failure(anonymous.poll(AbortSignal.timeout(2000)));
    expect([refused.kind, refused.message]).toEqual(["auth", expect.stringContaining("device error 100003")]);
    const wrong = driver("huawei-5g-cpe", { auth: { type: "hilink", password: "nope" } });
    const bad = await failure(wrong.poll(AbortSignal.timeout(2000)));
    expect([bad.kind, bad.message]).toEqual([
      "auth",
      expect.stringContaining("POST /api/user/login: device error 108006"),
    ]);
  });

  it("reads the Ka station with a bearer token, and refuses a wrong one", async () => {
    const v = values(await driver("ka-station").poll(AbortSignal.timeout(2000)));
    expect(v).toMatchObject({ ka_sat_locked: 1, ka_tx_on: 1, ka_latitude_degrees: 24.8108 });
    sim.inject("ka-station", "unlocked");
    const u = values(await driver("ka-station").poll(AbortSignal.timeout(2000)));
    expect(u.ka_sat_locked).toBe(0);
    expect(u.ka_ebno_db).toBeUndefined();
    sim.clear("ka-station");
    const bad = driver("ka-station", { auth: { type: "bearer", token: "wrong" } });
    expect((await failure(bad.poll(AbortSignal.timeout(2000)))).kind).toBe("auth");
  });

  it.each([
    ["http-500", "device"],
    ["bad-body", "protocol"],
    ["garbage", "protocol"],
    ["silent", "timeout"],
    ["slow", "timeout"],
  ])("fault %s is a %s error", async (fault, kind) => {
    sim.inject("ka-station", fault);
    try {
      const err = await failure(driver("ka-station").poll(AbortSignal.timeout(500)));
      expect(err.kind).toBe(kind);
      expect(err.message).toMatch(/^http 127\.0\.0\.1:\d+ GET \/api\/v1\/status/);
    } finally {
      sim.clear("ka-station");
    }
  });

  it("a CPE without the signal endpoint (404): the status stands, the signal block says unsupported", async () => {
    const server = createHttpServer((req, res) => {
      const body: Record<string, string> = {
        "/api/webserver/SesTokInfo":
          "<response><SesInfo>SessionID=abc</SesInfo><TokInfo>tok</TokInfo></response>",
        "/api/monitoring/status": "<response><ConnectionStatus>901</ConnectionStatus></response>",
      };
      const text = body[req.url ?? ""];
      res
        .writeHead(text ? 200 : 404, { "content-type": "text/xml" })
        .end(text ?? "<error><code>404</code></error>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      const d = driver("huawei-5g-cpe", { url: `http://127.0.0.1:${port}`, auth: undefined });
      const samples = await d.poll(AbortSignal.timeout(2000));
      expect(samples).toEqual([
        { metric: "cpe_connected", value: 1 },
        { metric: "profile_block_supported", value: 1, labels: { block: "status" } },
        { metric: "profile_block_supported", value: 0, labels: { block: "signal" } },
      ]);
      // The next poll hands the same labels objects: the metrics page and the InfluxDB sink keep
      // their lines by them, and would rebuild them every poll for new ones.
      const again = await d.poll(AbortSignal.timeout(2000));
      expect(again[1]!.labels).toBe(samples[1]!.labels);
      expect(again[2]!.labels).toBe(samples[2]!.labels);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a document of another device is a decode error; a refused port is unreachable", async () => {
    const { url } = sim.endpoint("ka-station") as { url: string };
    const mismatch = driver("video-terminal", { url, auth: { type: "bearer", token: "emcomm-demo-token" } });
    // /api/status does not exist on the Ka station: 404
    expect((await failure(mismatch.poll(AbortSignal.timeout(2000)))).kind).toBe("protocol");
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
      s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"modem":{}}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const partial = driver("ka-station", { url: `http://127.0.0.1:${port}`, auth: undefined });
    expect((await failure(partial.poll(AbortSignal.timeout(2000)))).kind).toBe("decode");
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    expect((await failure(partial.poll(AbortSignal.timeout(2000)))).kind).toBe("unreachable");
  });
});
