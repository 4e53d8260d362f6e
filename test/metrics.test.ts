import { Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { openDescriptors } from "../src/core/descriptors.ts";
import { PollError } from "../src/core/errors.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import type { MetricSpec, Sample } from "../src/core/types.ts";
import { DaemonMetrics } from "../src/metrics.ts";
import { StatusBoard } from "../src/status.ts";

const specs = new Map<string, MetricSpec>([
  [
    "if_oper_up",
    { name: "if_oper_up", help: "Interface up.", unit: "bool", type: "gauge", labels: ["ifname"] },
  ],
  ["modem_ebno_db", { name: "modem_ebno_db", help: "Eb/N0.", unit: "dB", type: "gauge" }],
]);
const identity = (id: string, site = "hq") => ({
  id,
  site,
  kind: "switch",
  vendor: "h3c",
  model: "s5130",
  criticality: "general",
  polled: true,
});

function setup(ids = ["sw1", "sw2"]) {
  const status = new StatusBoard(ids);
  const metrics = new DaemonMetrics(
    ids.map((id) => identity(id)),
    specs,
    status,
  );
  const record = (o: PollOutcome) => {
    status.record(o);
    metrics.record(o, "switch");
  };
  return { status, metrics, record };
}

const ok = (deviceId: string, samples: Sample[], ms = 30): PollOutcome => ({
  deviceId,
  trigger: "schedule",
  startedAt: 1_000,
  finishedAt: 1_000 + ms,
  samples,
});

/** The lines of one family (HELP/TYPE and samples), in order. */
const family = (text: string, name: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) || l.includes(` ${name} `));

describe("DaemonMetrics exposition", () => {
  it("exports the last poll's values with device, site and declared labels, escaped as prom-client does", async () => {
    const { metrics, record } = setup();
    const samples: Sample[] = [
      { metric: "if_oper_up", value: 1, labels: { ifname: 'Gi1/0/1 "uplink"\\a\nb' } },
      { metric: "if_oper_up", value: 0, labels: { ifname: "Gi1/0/2" } },
      { metric: "modem_ebno_db", value: 7.25 },
    ];
    record(ok("sw1", samples));
    const text = await metrics.registry.metrics();

    // The same values through prom-client's own Gauge: the lines must be identical.
    const reference = new Registry();
    const gauge = new Gauge({
      name: "emcomm_if_oper_up",
      help: "Interface up. (bool)",
      labelNames: ["device", "site", "ifname"],
      registers: [reference],
    });
    for (const s of samples.slice(0, 2))
      gauge.set({ device: "sw1", site: "hq", ifname: s.labels!.ifname! }, s.value);
    const expected = (await reference.metrics()).trim().split("\n");
    expect(family(text, "emcomm_if_oper_up")).toEqual(expected);
    expect(text).toContain('emcomm_modem_ebno_db{device="sw1",site="hq"} 7.25\n');
    expect(text).toContain('emcomm_device_up{device="sw1",site="hq",kind="switch"} 1\n');
    // Not polled yet: no up line, no values.
    expect(text).not.toContain('emcomm_device_up{device="sw2"');
    expect(text).toContain(
      'emcomm_device_info{device="sw2",site="hq",kind="switch",vendor="h3c",model="s5130",criticality="general",polled="true"} 1',
    );
  });

  it("exports only up 0 for a device whose last poll failed, and counts the error", async () => {
    const { metrics, record } = setup();
    record(ok("sw1", [{ metric: "modem_ebno_db", value: 7 }]));
    record({
      ...ok("sw1", []),
      error: new PollError("timeout", "no answer"),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('emcomm_device_up{device="sw1",site="hq",kind="switch"} 0\n');
    expect(text).not.toContain("emcomm_modem_ebno_db{");
    expect(text).toContain('emcomm_poll_errors_total{device="sw1",kind="timeout"} 1');
  });

  it("follows new polls and keeps one line per series (the first sample wins)", async () => {
    const { metrics, record } = setup();
    record(ok("sw1", [{ metric: "modem_ebno_db", value: 7 }]));
    expect(await metrics.registry.metrics()).toContain('emcomm_modem_ebno_db{device="sw1",site="hq"} 7\n');
    record(
      ok("sw1", [
        { metric: "modem_ebno_db", value: 8 },
        { metric: "modem_ebno_db", value: 9 },
        { metric: "not_declared", value: 1 },
      ]),
    );
    const text = await metrics.registry.metrics();
    expect(family(text, "emcomm_modem_ebno_db").filter((l) => !l.startsWith("#"))).toEqual([
      'emcomm_modem_ebno_db{device="sw1",site="hq"} 8',
    ]);
    expect(text).not.toContain("not_declared{");
    expect(text).toContain('emcomm_undeclared_samples_total{device="sw1"} 1');
  });

  it("follows a renamed row, whether its labels object is reused or new", async () => {
    const { metrics, record } = setup();
    const row = { ifname: "Gi1/0/1" };
    record(ok("sw1", [{ metric: "if_oper_up", value: 1, labels: row }]));
    expect(await metrics.registry.metrics()).toContain('ifname="Gi1/0/1"} 1\n');
    record(ok("sw1", [{ metric: "if_oper_up", value: 0, labels: { ifname: "uplink" } }]));
    let text = await metrics.registry.metrics();
    expect(text).toContain('emcomm_if_oper_up{device="sw1",site="hq",ifname="uplink"} 0\n');
    expect(text).not.toContain("Gi1/0/1");
    for (let i = 0; i < 100; i++)
      record(ok("sw1", [{ metric: "if_oper_up", value: i, labels: { ifname: `port${i}` } }]));
    text = await metrics.registry.metrics();
    expect(family(text, "emcomm_if_oper_up").filter((l) => !l.startsWith("#"))).toEqual([
      'emcomm_if_oper_up{device="sw1",site="hq",ifname="port99"} 99',
    ]);
  });

  it("keeps a cumulative poll-duration histogram per device", async () => {
    const { metrics, record } = setup();
    record(ok("sw1", [], 3));
    record(ok("sw1", [], 30));
    record(ok("sw1", [], 20_000));
    record({ ...ok("sw2", []), trigger: "stream" });
    const text = await metrics.registry.metrics();
    expect(text).toContain('emcomm_poll_duration_seconds_bucket{le="0.005",device="sw1"} 1\n');
    expect(text).toContain('emcomm_poll_duration_seconds_bucket{le="0.025",device="sw1"} 1\n');
    expect(text).toContain('emcomm_poll_duration_seconds_bucket{le="0.05",device="sw1"} 2\n');
    expect(text).toContain('emcomm_poll_duration_seconds_bucket{le="10",device="sw1"} 2\n');
    expect(text).toContain('emcomm_poll_duration_seconds_bucket{le="+Inf",device="sw1"} 3\n');
    expect(text).toContain('emcomm_poll_duration_seconds_count{device="sw1"} 3\n');
    expect(text).toContain('emcomm_poll_duration_seconds_sum{device="sw1"} 20.033\n');
    expect(text).not.toContain('emcomm_poll_duration_seconds_count{device="sw2"}');
  });

  it("writes every family once, with HELP and TYPE, in a format Prometheus parses", async () => {
    const { metrics, record } = setup();
    record(ok("sw1", [{ metric: "if_oper_up", value: 1, labels: { ifname: "a" } }]));
    record(ok("sw2", [{ metric: "if_oper_up", value: 0, labels: { ifname: "a" } }]));
    const text = await metrics.registry.metrics();
    const types = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(new Set(types).size).toBe(types.length);
    // All lines of a family are together: a family's name never reappears after another family.
    const order = text
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, ""));
    const seen: string[] = [];
    for (const name of order) if (seen.at(-1) !== name) seen.push(name);
    expect(new Set(seen).size).toBe(seen.length);
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toContain("\n\n\n");
    // The text families are declared in the registry like prom-client's own, with their labels.
    const declared = new Map(
      metrics.registry
        .getMetricsAsArray()
        .map((m) => [m.name, (m as unknown as { labelNames: string[] }).labelNames]),
    );
    expect(declared.get("emcomm_device_up")).toEqual(["device", "site", "kind"]);
    expect(declared.get("emcomm_poll_duration_seconds")).toEqual(["device"]);
    expect(declared.has("emcomm_device_info")).toBe(true);
  });

  it.runIf(process.platform === "linux")(
    "exports the process's open descriptors once, as prom-client names them",
    async () => {
      const { metrics } = setup();
      const text = await metrics.registry.metrics();
      expect(text.match(/^# HELP emcomm_process_open_fds Number of open file descriptors\.$/gm)).toHaveLength(
        1,
      );
      const exported = Number(/^emcomm_process_open_fds (\d+)$/m.exec(text)?.[1]);
      expect(exported).toBe(openDescriptors());
      expect(exported).toBeGreaterThanOrEqual(3);
    },
  );
});
