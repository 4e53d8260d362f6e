/**
 * Fault to the Alertmanager webhook, on the real stack, for bench/snmp.ts: the demo (the inventory
 * on simulators; duty-system polled every second), a real Prometheus scraping it every second with
 * the shipped rules, a real Alertmanager with the shipped routes, and the SMS/voice gateway played
 * by an HTTP server here. A `silent` fault on duty-system (a major device) until the gateway is
 * called for the bureau's duty contact. One round (the stack takes a while to start).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  missingPeers,
  promQuery,
  startAlertmanager,
  startPrometheus,
  waitFor,
} from "../peers/index.ts";
import { renderAlertmanager, renderPrometheus } from "../peers/noc-stack.ts";
import { startFastDemo } from "../simulators/fast-demo.ts";

/** Milliseconds from the fault to the webhook call, or why it was not measured. */
export async function measureAlertLatency(): Promise<{ ms: number } | { skipped: string }> {
  const missing = missingPeers("prometheus", "alertmanager");
  if (missing) return { skipped: missing };
  const dir = mkdtempSync(join(tmpdir(), "emcomm-alert-latency-"));
  const calls: { at: number; to: string; body: string }[] = [];
  const phones = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname.startsWith("/gateway/"))
        calls.push({ at: Date.now(), to: url.searchParams.get("to") ?? "", body });
      res.setHeader("content-type", "application/json");
      res.end(
        url.pathname === "/wecom/gettoken"
          ? '{"errcode":0,"access_token":"t","expires_in":7200}'
          : '{"errcode":0}',
      );
    });
  });
  const phonesPort = await freePort();
  await new Promise<void>((r) => phones.listen(phonesPort, "127.0.0.1", r));
  const stops: (() => unknown)[] = [
    () => new Promise((r) => phones.close(r)),
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    const demo = await startFastDemo(join(dir, "demo"), ["duty-system"]);
    stops.push(() => demo.stop());
    const am = renderAlertmanager(join(dir, "alertmanager"), `http://127.0.0.1:${phonesPort}`);
    const alertmanager = await startAlertmanager(am.file, join(dir, "alertmanager"));
    stops.push(() => alertmanager.stop());
    const prometheus = await startPrometheus(
      renderPrometheus(join(dir, "prometheus"), {
        daemon: new URL(demo.daemon.url!).host,
        alertmanager: new URL(alertmanager.url).host,
      }),
      join(dir, "prometheus"),
    );
    stops.push(() => prometheus.stop());
    await waitFor(
      "duty-system up in Prometheus",
      async () =>
        (await promQuery(prometheus.url, 'emcomm_device_up{device="duty-system"} == 1')).length === 1 ||
        undefined,
      30_000,
    );
    const injectedAt = Date.now();
    demo.fleet.inject("duty-system", "silent");
    const call = await waitFor(
      "the gateway call for the bureau's duty contact",
      () => calls.find((c) => c.at >= injectedAt && c.to === "bureau-duty" && c.body.includes("duty-system")),
      60_000,
    );
    return { ms: call.at - injectedAt };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

if (process.argv[1]?.endsWith("_alert-latency.ts")) console.log(JSON.stringify(await measureAlertLatency()));
