/**
 * One-shot poll for troubleshooting: builds the drivers, polls each device once (streamed ones
 * are listened to for a while), and reports every sample or the typed error.
 */
import type { Logger } from "pino";
import { buildDriver } from "./build-driver.ts";
import { type Config, pollTimeoutMs } from "./config/schema.ts";
import { deadline, systemClock } from "./core/clock.ts";
import { asPollError, PollError } from "./core/errors.ts";
import { createSharedResources } from "./core/resources.ts";
import type { Sample } from "./core/types.ts";

export interface PollResult {
  device: string;
  protocol: string;
  durationMs: number;
  samples: Sample[];
  error?: { kind: string; message: string };
}

export async function pollOnce(
  config: Config,
  options: { deviceIds?: string[]; log: Logger; streamWaitMs: number },
): Promise<PollResult[]> {
  const resources = createSharedResources();
  const ctx = { clock: systemClock, log: options.log, resources };
  const wanted = options.deviceIds ? new Set(options.deviceIds) : undefined;
  const unknown = [...(wanted ?? [])].filter((id) => !config.devices.some((d) => d.id === id));
  const results: PollResult[] = unknown.map((id) => ({
    device: id,
    protocol: "?",
    durationMs: 0,
    samples: [],
    error: { kind: "config", message: `no device ${id} in the config` },
  }));
  // Devices tracked by hand (shape "manual") have nothing to poll.
  const polled = config.devices
    .filter((d) => !wanted || wanted.has(d.id))
    .map((device) => ({ device, driver: buildDriver(device, ctx) }))
    .filter(({ driver }) => driver.shape !== "manual");
  const polls = polled.map(async ({ device, driver }): Promise<PollResult> => {
    const protocol = String(device.driver.protocol);
    const started = Date.now();
    const done = (samples: Sample[], err?: unknown): PollResult => {
      const e = err === undefined ? undefined : asPollError(err, device.id);
      return {
        device: device.id,
        protocol,
        durationMs: Date.now() - started,
        samples,
        ...(e ? { error: { kind: e.kind, message: e.message } } : {}),
      };
    };
    if (driver.shape === "polled") {
      const limit = deadline(systemClock, pollTimeoutMs(device));
      try {
        return done(await driver.poll(limit.signal));
      } catch (err) {
        return done(
          [],
          limit.signal.aborted && !(err instanceof PollError)
            ? new PollError("timeout", `${device.id}: no answer within ${pollTimeoutMs(device)} ms`)
            : err,
        );
      } finally {
        limit.dispose();
        await driver.close();
      }
    }
    if (driver.shape === "streamed") {
      return new Promise<PollResult>((resolve) => {
        const timer = setTimeout(
          () =>
            finish(
              [],
              new PollError("stale", `${device.id}: nothing heard within ${options.streamWaitMs} ms`),
            ),
          options.streamWaitMs,
        );
        const finish = (samples: Sample[], err?: unknown) => {
          clearTimeout(timer);
          void driver.stop();
          resolve(done(samples, err));
        };
        driver.start({ samples: (s) => finish(s), error: (e) => finish([], e) }).catch((e) => finish([], e));
      });
    }
    return done([]);
  });
  results.push(...(await Promise.all(polls)));
  await resources.closeAll();
  return results;
}

export function printPollResults(results: PollResult[], json: boolean, out: NodeJS.WritableStream): void {
  if (json) {
    out.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    if (r.error) {
      out.write(`✗ ${r.device} (${r.protocol}) ${r.error.kind}: ${r.error.message}\n`);
      continue;
    }
    out.write(`✓ ${r.device} (${r.protocol}) ${r.samples.length} samples in ${r.durationMs} ms\n`);
    for (const s of r.samples) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(",")}}`
        : "";
      out.write(`    ${s.metric}${labels} ${s.value}\n`);
    }
  }
  const failed = results.filter((r) => r.error).length;
  out.write(`${results.length - failed} ok, ${failed} failed\n`);
}
