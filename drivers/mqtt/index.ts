/**
 * mqtt: a streamed driver for devices that push telemetry (the Beidou boxes). Each device
 * subscribes to its topic on a broker connection shared through ctx.resources by the devices with
 * the same broker, credentials and client id; each valid message becomes samples; an invalid one
 * is reported when it arrives as a protocol error carrying mqtt_invalid_payloads_total, and logged
 * with its reason, never fatal. A refusal of the credentials is reported at once as auth on every
 * device that uses them. A device that sends no valid report
 * for reportInterval × missedReports is reported to the sink as a PollError, again every such
 * period while it stays quiet: kind stale while the broker is connected (the terminal is silent),
 * auth when the broker refused our credentials, unreachable when it cannot be reached.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { PollError } from "../../src/core/errors.ts";
import type { StreamedDriver, StreamSink } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { BrokerConnection } from "./connection.ts";
import { mqttOptions } from "./options.ts";
import { mqttProfiles } from "./profiles/index.ts";
import { Watchdog } from "./watchdog.ts";

export { mqttOptions } from "./options.ts";

export const mqttDriver = defineDriver({
  protocol: "mqtt",
  options: mqttOptions,
  profiles: () => new Map(Object.entries(mqttProfiles)),
  create(device, ctx): StreamedDriver {
    const o = device.options;
    const profile = mqttProfiles[o.profile];
    const host = new URL(o.broker).host;
    const target = `mqtt ${host} ${o.topic}`;
    const suffix = ctx.clientIdSuffix ? `-${ctx.clientIdSuffix}` : "";
    let held: { value: BrokerConnection; release(): Promise<void> } | undefined;
    let subscription: { stop(): void } | undefined;
    let idClaim: { value: { credentials: string }; release(): Promise<void> } | undefined;
    let stopRefusals: (() => void) | undefined;
    let watchdog: Watchdog | undefined;
    let invalid = 0;

    return {
      shape: "streamed",
      metrics: profile.metrics,
      rules: profile.rules,
      async start(sink: StreamSink) {
        let password: string | undefined;
        let ca: string | undefined;
        try {
          password = o.password?.reveal();
          ca = o.tls?.ca ? readFileSync(o.tls.ca, "utf8") : undefined;
        } catch (err) {
          sink.error(new PollError("config", `${target}: ${(err as Error).message}`, { cause: err }));
          return;
        }
        // Devices share a connection only with the same credentials: a wrong password never rides
        // on a good connection, nor a good one on a refused connection.
        const credentials = createHash("sha256")
          .update(`${o.username ?? ""}\u0000${password ?? ""}`)
          .digest("hex")
          .slice(0, 16);
        const clientId = `${
          o.clientId ??
          `emcomm-${createHash("sha1")
            .update(`${hostname()}|${o.broker}|${credentials}`)
            .digest("hex")
            .slice(0, 12)}`
        }${suffix}`;
        // Two connections with one client id would evict each other at the broker, forever.
        idClaim = ctx.resources.acquire(`mqtt-client-id:${o.broker}|${clientId}`, () => ({
          credentials,
          close() {},
        }));
        if (idClaim.value.credentials !== credentials) {
          await idClaim.release();
          idClaim = undefined;
          sink.error(
            new PollError(
              "config",
              `${target}: client id ${clientId} is already used at this broker by a device with other credentials`,
            ),
          );
          return;
        }
        const key = `mqtt:${o.broker}|${o.username ?? ""}|${credentials}|${clientId}`;
        held = ctx.resources.acquire(
          key,
          () =>
            new BrokerConnection(
              {
                url: o.broker,
                username: o.username,
                password,
                clientId,
                transient: suffix !== "",
                tls: o.tls,
              },
              ctx.log.child({ component: "mqtt" }),
              ctx.clock,
              ca,
            ),
        );
        const conn = held.value;
        const quietLimit = o.reportInterval * o.missedReports;
        watchdog = new Watchdog(ctx.clock, quietLimit, (quietMs) => {
          const quiet = `no valid report for ${Math.round(quietMs / 1000)} s (expected every ${o.reportInterval / 1000} s)`;
          // Silence while connected is the terminal's; while not connected, the broker's or ours.
          const failure = conn.connected ? undefined : conn.lastFailure;
          if (failure?.refused)
            sink.error(new PollError("auth", `${target}: ${quiet}; the broker refused our credentials`));
          else if (!conn.connected)
            sink.error(
              new PollError(
                "unreachable",
                `${target}: ${quiet}; broker not connected (${failure?.reason ?? "connecting"})`,
              ),
            );
          else sink.error(new PollError("stale", `${target}: ${quiet}`));
        });
        watchdog.start();
        stopRefusals = conn.onRefused((reason) =>
          sink.error(new PollError("auth", `${target}: the broker refused our credentials (${reason})`)),
        );
        const sub = conn.subscribe(o.topic, o.qos, (payload) => {
          const result = profile.decode(payload, ctx.clock.now());
          if ("invalid" in result) {
            invalid++;
            const level = invalid === 1 || invalid % 100 === 0 ? "warn" : "debug";
            ctx.log[level]({ topic: o.topic, invalid, reason: result.invalid }, "invalid payload discarded");
            sink.error(
              new PollError("protocol", `${target}: invalid payload: ${result.invalid}`),
              ctx.clock.now(),
              [{ metric: "mqtt_invalid_payloads_total", value: invalid }],
            );
            return;
          }
          watchdog?.kick();
          sink.samples([...result.samples, { metric: "mqtt_invalid_payloads_total", value: invalid }]);
        });
        subscription = sub;
        await sub.ready;
      },
      async stop() {
        stopRefusals?.();
        stopRefusals = undefined;
        watchdog?.stop();
        subscription?.stop();
        subscription = undefined;
        await held?.release();
        held = undefined;
        await idClaim?.release();
        idClaim = undefined;
      },
    };
  },
});
