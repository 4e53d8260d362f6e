/**
 * The daemon's HTTP listener: /metrics for Prometheus, /healthz for supervisors, and the JSON API
 * under /api/v1. Binds to loopback unless configured. Later capabilities add their routes as
 * Fastify plugins through `routes`.
 *
 * Reads: with `canRead` given, every GET under /api/v1 (whichever capability added it) needs what
 * canRead accepts (a token, or loopback when `sla.api.openReadsOnLoopback`), else 401; /metrics too
 * when `sla.api.metrics` is `token`; /healthz never.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from "fastify";
import type { Logger } from "pino";
import type { Config, DeviceConfig } from "../config/schema.ts";
import type { DaemonMetrics } from "../metrics.ts";
import type { StatusBoard } from "../status.ts";

export interface HttpDeps {
  config: Config;
  status: StatusBoard;
  metrics: DaemonMetrics;
  log: Logger;
  /** Reports whether the daemon considers itself healthy (store open, scheduler running). */
  healthy(): boolean;
  /** The API's read rule (src/api/http.ts reportAccess); absent = reads open (tests of one route). */
  canRead?: (req: FastifyRequest) => boolean;
  routes?: readonly FastifyPluginAsync[];
}

export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  // Request logs stay at debug: the NOC wants state changes in the log, not every scrape.
  const app = Fastify({
    loggerInstance: deps.log.child({ component: "http" }, { level: "warn" }) as FastifyBaseLogger,
    // Shutdown must not wait for open event streams (the duty console) or idle keep-alive sockets.
    forceCloseConnections: true,
  });

  const canRead = deps.canRead;
  if (canRead)
    app.addHook("onRequest", async (req, reply) => {
      if (req.method !== "GET" && req.method !== "HEAD") return;
      const path = req.url.split("?", 1)[0]!;
      const guarded =
        path.startsWith("/api/v1/") || (path === "/metrics" && deps.config.sla.api.metrics === "token");
      if (!guarded || canRead(req)) return;
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="emcomm"')
        .send({ error: "a bearer token is required" });
    });

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.get("/healthz", async (_req, reply) => {
    const ok = deps.healthy();
    reply.code(ok ? 200 : 503);
    return { status: ok ? "ok" : "unhealthy" };
  });

  app.get("/api/v1/devices", async () => ({
    devices: deps.config.devices.map((d) => deviceView(d, deps.status)),
  }));

  app.get<{ Params: { id: string } }>("/api/v1/devices/:id", async (req, reply) => {
    const device = deps.config.devices.find((d) => d.id === req.params.id);
    if (!device) return reply.code(404).send({ error: `no device ${req.params.id}` });
    return deviceView(device, deps.status);
  });

  for (const plugin of deps.routes ?? []) await app.register(plugin);
  return app;
}

function deviceView(device: DeviceConfig, status: StatusBoard) {
  const s = status.get(device.id);
  return {
    id: device.id,
    name: device.name,
    site: device.site,
    system: device.system,
    kind: device.kind,
    vendor: device.vendor,
    model: device.model,
    criticality: device.criticality,
    protocol: device.driver.protocol,
    profile: (device.driver as { profile?: string }).profile ?? null,
    up: s?.up ?? null,
    lastPollAt: s?.lastPollAt ? new Date(s.lastPollAt).toISOString() : null,
    lastDurationMs: s?.lastDurationMs ?? null,
    lastError: s?.lastError ? { ...s.lastError, at: new Date(s.lastError.at).toISOString() } : null,
    latest: s?.latest
      ? { at: new Date(s.latest.at).toISOString(), values: s.latest.samples.map((x) => ({ ...x })) }
      : null,
  };
}
