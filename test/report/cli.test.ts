/**
 * `emcomm report` end to end (a real process): the golden fixture moved back 31 days into October
 * 2026 (a closed month), exports written, freeze and verify, bad inputs refused with exit 1.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MemorySourceData } from "../../src/report/memory-source.ts";
import { november } from "./fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "emcomm-report-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHIFT = 31 * 24 * 3_600_000;
function october(): MemorySourceData {
  const d = november();
  const s = (x: number | null | undefined) => (x === null || x === undefined ? (x ?? null) : x - SHIFT);
  return {
    ...d,
    devices: d.devices.map((x) => ({ ...x, addedAt: s(x.addedAt) })),
    changes: d.changes.map((c) => ({ ...c, at: c.at - SHIFT })),
    windows: d.windows.map((w) => ({ ...w, start: w.start - SHIFT, end: w.end - SHIFT })),
    tickets: d.tickets.map((t) => ({
      ...t,
      startedAt: t.startedAt - SHIFT,
      openedAt: t.openedAt - SHIFT,
      acceptedAt: s(t.acceptedAt),
      arrivedAt: s(t.arrivedAt),
      clearedAt: s(t.clearedAt),
      verifiedAt: s(t.verifiedAt),
      deadlines: {
        respond: t.deadlines.respond - SHIFT,
        onsite: t.deadlines.onsite - SHIFT,
        repair: t.deadlines.repair - SHIFT,
      },
    })),
  };
}

function emcomm(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/emcomm.js", "report", ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("emcomm report", () => {
  const source = join(dir, "october.json");
  writeFileSync(source, JSON.stringify(october()));
  const data = join(dir, "data");

  it("writes every export, freezes, verifies; refuses bad inputs", () => {
    const inputs = join(dir, "inputs.yaml");
    writeFileSync(inputs, 'period: "2026-10"\ncomplaints: 1\nwrittenPraise: 1\n');
    const out = join(dir, "out");
    const r = emcomm(
      "--period",
      "2026-10",
      "--source",
      source,
      "--inputs",
      inputs,
      "--out",
      out,
      "--freeze",
      "--data-dir",
      data,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2026-10: frozen as revision 1, sha256 [0-9a-f]{64}/);
    expect(r.out).toMatch(/2026-10 as of [^:]*:[^:]*: performance \d+(\.\d+)?, service 100,/);
    const files = readdirSync(out);
    for (const f of [
      "2026-10.json",
      "2026-10.xlsx",
      "2026-10.md",
      "2026-10.html",
      "2026-10-summary.csv",
      "2026-10-faults.csv",
    ])
      expect(files).toContain(f);

    const v = emcomm("--period", "2026-10", "--verify", "--data-dir", data);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/revision 1: digest reproduced/);

    const l = emcomm("--period", "2026-10", "--revisions", "--data-dir", data);
    expect(l.out).toMatch(/^revision 1 .* initial freeze$/m);
    expect(l.out).toMatch(/^audit .* freeze revision 1/m);
    expect(l.out).toMatch(/^audit .* verify revision 1 {2}match$/m);

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, 'period: "2026-10"\ncomplaints: -3\nkudos: 1\n');
    const b = emcomm("--period", "2026-10", "--source", source, "--inputs", bad, "--data-dir", data);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/complaints: not negative/);
    expect(b.err).toMatch(/unknown indicator\(s\): kudos/);
    // The daemon's config works as --config too: its reports: block and its data directory.
    const daemonYaml = join(dir, "emcomm.yaml");
    writeFileSync(
      daemonYaml,
      `daemon: { dataDir: ${JSON.stringify(join(dir, "daemon-data"))} }\nsites: [{ id: s, name: { zh: 站, en: S } }]\ndevices: []\nreports: { fee: { contractTotal: 1000000 } }\n`,
    );
    const d = emcomm(
      "--period",
      "2026-10",
      "--source",
      source,
      "--config",
      daemonYaml,
      "--inputs",
      inputs,
      "--freeze",
    );
    expect(d.err).toBe("");
    expect(d.out).toMatch(/fee \d+(\.\d+)? CNY/);
    expect(d.out).not.toMatch(/fee 0 CNY/);
    expect(readdirSync(join(dir, "daemon-data"))).toContain("emcomm.db");

    const p = emcomm("--period", "2026-13", "--source", source);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/month 13 does not exist/);
  }, 240_000);
});
