/**
 * The sinks wired into the daemon: a `sinks.influx` block in the config makes every published
 * poll outcome and every event reach VictoriaMetrics, and the outbox shows in /metrics and the API.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startVictoria, tempDir, victoriaMissing } from "../../peers/index.ts";
import { configSchema } from "../../src/config/schema.ts";
import { PollError } from "../../src/core/errors.ts";
import { startDaemon } from "../../src/daemon.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe.skipIf(victoriaMissing)("daemon with sinks", () => {
  it("writes outcomes and events through the outbox and reports the backlog", async () => {
    const vmDir = tempDir("vm-");
    const vm = await startVictoria(vmDir.path);
    cleanup.push(async () => {
      await vm.stop();
      vmDir.remove();
    });
    const data = tempDir("daemon-");
    cleanup.push(() => data.remove());
    const config = configSchema.parse({
      daemon: { dataDir: data.path, http: { port: 0 }, log: { level: "silent" } },
      sites: [{ id: "vehicle", name: { zh: "指挥车", en: "Command vehicle" } }],
      devices: [],
      sinks: { influx: { url: vm.url, flushInterval: "50ms" } },
    });
    const daemon = await startDaemon({ config, log: pino({ level: "silent" }) });
    cleanup.push(() => daemon.stop());

    const t = Date.now() - 10_000;
    daemon.pipeline.publish({
      deviceId: "vehicle-modem",
      trigger: "schedule",
      startedAt: t,
      finishedAt: t + 30,
      samples: [{ metric: "modem_ebno_db", value: 8.5 }],
    });
    daemon.pipeline.publish({
      deviceId: "vehicle-modem",
      trigger: "schedule",
      startedAt: t + 1000,
      finishedAt: t + 6000,
      samples: [],
      error: new PollError("timeout", "no answer"),
    });
    daemon.events.stateChanged({
      deviceId: "vehicle-modem",
      site: "vehicle",
      kind: "satellite-modem",
      state: "down",
      previous: "up",
      cause: "poll timeout",
      at: t + 1000,
    });
    await Promise.race([
      daemon.sinks.influx!.forwarder.idle(),
      new Promise((_, j) => setTimeout(() => j(new Error("not drained")), 10_000)),
    ]);

    const ebno = await vm.export('{__name__="modem_modem_ebno_db"}');
    expect(ebno.map((s) => [s.metric.device, s.values, s.timestamps])).toEqual([
      ["vehicle-modem", [8.5], [t]],
    ]);
    const up = await vm.export('{__name__="poll_up"}');
    expect(up[0]!.values).toEqual([1, 0]);
    expect(await vm.export('{__name__=~"device_state_.*"}')).not.toHaveLength(0);

    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toContain('emcomm_outbox_backlog_points{sink="influx"} 0');
    expect(metrics).toMatch(/emcomm_sink_points_written_total\{sink="influx"\} [1-9]/);
    const api = (await (await fetch(`${daemon.url}/api/v1/outbox`)).json()) as { sinks: { sink: string }[] };
    expect(api.sinks.map((s) => s.sink)).toEqual(["influx"]);
    const q = (await (await fetch(`${daemon.url}/api/v1/outbox/quarantine`)).json()) as {
      quarantine: unknown[];
    };
    expect(q.quarantine).toEqual([]);
  }, 30_000);
});
