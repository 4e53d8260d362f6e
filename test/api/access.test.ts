/**
 * Who may read and sign in over HTTP: from a non-loopback address every read under /api/v1 needs a
 * token (whichever capability added the route), /healthz never does, /metrics does when configured;
 * tokens are matched exactly as sent (nothing trimmed); an empty or blank token in the config is a
 * config error, not a way in.
 */
import { describe, expect, it } from "vitest";
import { reportAccess, tokenTable } from "../../src/api/http.ts";
import { validateConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { buildHttp } from "../../src/http/server.ts";
import { DaemonMetrics } from "../../src/metrics.ts";
import { StatusBoard } from "../../src/status.ts";
import { tcpDevice } from "../support/harness.ts";
import { quietLog } from "../support/log.ts";

const inventory = {
  sites: [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }],
  devices: [tcpDevice("core-switch", "fixed")],
};

function config(api: Record<string, unknown>): Config {
  return validateConfig({ ...inventory, sla: { api } });
}

async function app(cfg: Config) {
  const status = new StatusBoard(cfg.devices.map((d) => d.id));
  const outbox = async (a: import("fastify").FastifyInstance) => {
    a.get("/api/v1/outbox", async () => ({ sinks: [] }));
    a.get("/api/v1/outbox/quarantine", async () => ({ quarantine: [] }));
  };
  return buildHttp({
    config: cfg,
    status,
    metrics: new DaemonMetrics([], new Map(), status),
    log: quietLog,
    healthy: () => true,
    canRead: reportAccess(cfg, quietLog).canRead,
    routes: [outbox],
  });
}

const remote = { remoteAddress: "10.1.2.3" };
const reads = [
  "/api/v1/devices",
  "/api/v1/devices/core-switch",
  "/api/v1/outbox",
  "/api/v1/outbox/quarantine",
];

describe("reads from other hosts", () => {
  it("need a token for every /api/v1 read; /healthz stays open; loopback reads are open when configured", async () => {
    process.env.EMCOMM_ACCESS_VIEWER = "viewer-token-1";
    const a = await app(
      config({ tokens: [{ name: "wall", role: "viewer", token: "${EMCOMM_ACCESS_VIEWER}" }] }),
    );
    try {
      for (const url of reads) {
        expect((await a.inject({ url, ...remote })).statusCode, url).toBe(401);
        const ok = await a.inject({ url, ...remote, headers: { authorization: "Bearer viewer-token-1" } });
        expect(ok.statusCode, url).toBe(200);
        expect((await a.inject({ url })).statusCode, `${url} from loopback`).toBe(200);
      }
      expect((await a.inject({ url: "/healthz", ...remote })).statusCode).toBe(200);
      expect((await a.inject({ url: "/metrics", ...remote })).statusCode).toBe(200);
      // Nothing trims a presented token into a match.
      for (const presented of [" viewer-token-1", "viewer-token-1 ", "viewer-token-1\u00a0", "\u00a0", ""])
        expect(
          (
            await a.inject({
              url: "/api/v1/devices",
              ...remote,
              headers: { authorization: `Bearer ${presented}` },
            })
          ).statusCode,
          JSON.stringify(presented),
        ).toBe(401);
    } finally {
      await a.close();
    }
  });

  it("/metrics needs a token from other hosts when sla.api.metrics is token", async () => {
    process.env.EMCOMM_ACCESS_VIEWER = "viewer-token-1";
    const a = await app(
      config({
        metrics: "token",
        tokens: [{ name: "prometheus", role: "viewer", token: "${EMCOMM_ACCESS_VIEWER}" }],
      }),
    );
    try {
      expect((await a.inject({ url: "/metrics", ...remote })).statusCode).toBe(401);
      const ok = await a.inject({
        url: "/metrics",
        ...remote,
        headers: { authorization: "Bearer viewer-token-1" },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain("emcomm_");
      expect((await a.inject({ url: "/metrics" })).statusCode).toBe(200);
    } finally {
      await a.close();
    }
  });
});

describe("empty or blank tokens", () => {
  it("a blank literal is a config error naming the key", () => {
    expect(() => config({ tokens: [{ name: "x", role: "engineer", token: " " }] })).toThrow(
      /sla\.api\.tokens\[0\]\.token/,
    );
  });

  it("a variable set but empty or blank is a config error at start, never a token that signs in", () => {
    for (const value of ["", " ", "\u00a0", "abc def"]) {
      process.env.EMCOMM_ACCESS_BLANK = value;
      const cfg = config({ tokens: [{ name: "eng", role: "engineer", token: "${EMCOMM_ACCESS_BLANK}" }] });
      expect(() => tokenTable(cfg, quietLog), JSON.stringify(value)).toThrow(ConfigError);
      expect(() => tokenTable(cfg, quietLog)).toThrow(/sla\.api\.tokens\[0\]\.token: token eng/);
    }
    delete process.env.EMCOMM_ACCESS_BLANK;
  });
});
