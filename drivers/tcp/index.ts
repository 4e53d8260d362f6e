/**
 * tcp: is a TCP port accepting connections? The least a monitor can know about a device that has
 * no management protocol we can read (a dispatch console PC, a tablet, a video matrix), and the
 * reachability check behind richer profiles.
 */
import { Socket } from "node:net";
import { z } from "zod";
import { PollError } from "../../src/core/errors.ts";
import type { DeviceModel, MetricSpec, PolledDriver } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";

const metrics: MetricSpec[] = [
  {
    name: "tcp_connect_seconds",
    help: "Time to complete the TCP handshake.",
    unit: "seconds",
    type: "gauge",
  },
];

const model: DeviceModel = { metrics, rules: [] };

export const tcpOptions = z.strictObject({
  protocol: z.literal("tcp"),
  profile: z.literal("tcp-port").default("tcp-port"),
  host: z.string().min(1, "a host name or address"),
  port: z.number().int().min(1).max(65535),
});

export const tcpDriver = defineDriver({
  protocol: "tcp",
  options: tcpOptions,
  profiles: () => new Map([["tcp-port", model]]),
  create(device, ctx): PolledDriver {
    const { host, port } = device.options;
    const target = `tcp ${host}:${port}`;
    return {
      shape: "polled",
      ...model,
      poll(signal) {
        return new Promise((resolve, reject) => {
          const started = ctx.clock.now();
          const socket = new Socket();
          const fail = (err: PollError) => {
            socket.destroy();
            reject(err);
          };
          const onAbort = () =>
            fail(new PollError("timeout", `${target}: connect timed out`, { cause: signal.reason }));
          signal.addEventListener("abort", onAbort, { once: true });
          socket.once("error", (err: NodeJS.ErrnoException) => {
            signal.removeEventListener("abort", onAbort);
            const kind = err.code === "ETIMEDOUT" ? "timeout" : "unreachable";
            fail(new PollError(kind, `${target}: ${err.code ?? err.message}`, { cause: err }));
          });
          socket.connect(port, host, () => {
            signal.removeEventListener("abort", onAbort);
            socket.destroy();
            resolve([{ metric: "tcp_connect_seconds", value: (ctx.clock.now() - started) / 1000 }]);
          });
        });
      },
      async close() {},
    };
  },
});
