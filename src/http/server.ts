/**
 * The daemon's HTTP listener: /metrics for Prometheus, /healthz for supervisors, and the JSON API
 * under /api/v1. Binds to loopback unless configured. Later capabilities add their routes as
 * Fastify plugins through `routes`.
 *
 * Reads: with `canRead` given, every GET under /api/v1 (whichever capability added it) needs what
 * canRead accepts (a token, or loopback when `sla.api.openReadsOnLoopback`), else 401; /metrics too
 * when `sla.api.metrics` is `token`; /healthz never.
 */
import { createServer } from "node:http";
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
import { isStorageError } from "../store/writer.ts";
import { askForToken } from "./replies.ts";

export interface HttpDeps {
  config: Config;
  status: StatusBoard;
  metrics: DaemonMetrics;
  log: Logger;
  /** Reports whether the daemon considers itself healthy (store open, scheduler running). */
  healthy(): boolean;
  /** The API's read rule (src/api/http.ts reportAccess); absent = reads open (tests of one route). */
  canRead?: (req: FastifyRequest) => boolean;
  /** Why the daemon is unhealthy though running (the store cannot write), or undefined. */
  problem?(): string | undefined;
  /** Why the daemon is degraded though healthy (its own resources exhausted), or undefined. */
  degraded?(): string | undefined;
  /** Told of a request that failed because the store cannot write. */
  onStorageError?(err: unknown): void;
  routes?: readonly FastifyPluginAsync[];
}

/**
 * What one client may hold, so that a flood of slow or idle connections cannot use up the
 * daemon's descriptors (its polls need them). Past `maxConnections`, new connections are refused
 * (closed at once); slow senders are cut by the header and request (body) timeouts, checked every
 * second; event streams have their own cap (src/console/events.ts).
 */
export const httpLimits = {
  maxConnections: 256,
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: 5_000,
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: 10_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  /** A socket with no traffic at all for this long is closed (event streams send a ping every 15 s). */
  idleTimeoutMs: 60_000,
  bodyLimitBytes: 1024 * 1024,
};

export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  const limits = httpLimits;
  // Request logs stay at debug: the NOC wants state changes in the log, not every scrape.
  const app = Fastify({
    loggerInstance: deps.log.child({ component: "http" }, { level: "warn" }) as FastifyBaseLogger,
    // Shutdown must not wait for open event streams (the duty console) or idle keep-alive sockets.
    forceCloseConnections: true,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    bodyLimit: limits.bodyLimitBytes,
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // Node checks the two timeouts above on this period (default 30 s).
          connectionsCheckingInterval: 1_000,
        },
        handler,
      ),
  });
  app.server.maxConnections = limits.maxConnections;
  let refused = 0;
  app.server.on("drop", () => {
    if (refused++ % 1000 === 0)
      deps.log.warn(
        { maxConnections: limits.maxConnections, refused },
        "http: connection cap reached, refusing",
      );
  });

  const canRead = deps.canRead;
  if (canRead)
    app.addHook("onRequest", async (req, reply) => {
      if (req.method !== "GET" && req.method !== "HEAD") return;
      const path = req.url.split("?", 1)[0]!;
      const guarded =
        path.startsWith("/api/v1/") || (path === "/metrics" && deps.config.sla.api.metrics === "token");
      if (!guarded || canRead(req)) return;
      return askForToken(reply);
    });

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.get("/healthz", async (_req, reply) => {
    const problem = deps.problem?.();
    const ok = deps.healthy() && problem === undefined;
    reply.code(ok ? 200 : 503);
    if (!ok) return { status: "unhealthy", ...(problem ? { reason: problem } : {}) };
    const degraded = deps.degraded?.();
    return degraded ? { status: "degraded", reason: degraded } : { status: "ok" };
  });

  // A request that could not write because the store cannot write (disk full, I/O error) gets a
  // 503 with the reason, not a 500: nothing was changed, the client may try again.
  app.setErrorHandler((err, _req, reply) => {
    if (!isStorageError(err)) throw err; // Fastify's own handler answers it
    deps.onStorageError?.(err);
    return reply.code(503).send({ error: `the store cannot write now: ${(err as Error).message}` });
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
