/**
 * The duty console's static files (console/ at the repository root: plain ES modules and CSS,
 * served as they are, no build step). Registered by the daemon as a Fastify plugin:
 *   GET /  and  GET /console[/]   the page (index.html)
 *   GET /console/<file>           its scripts, styles and icon
 *   GET /sw.js                    the service worker that keeps the shell available offline
 * Files are read once at registration into memory (about 60 kB), gzip-compressed once, and served
 * with an ETag so a phone on a slow link revalidates with a 304. Only files that exist at start are
 * served: a request path never reaches the file system.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/manifest+json; charset=utf-8",
  ".png": "image/png",
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

export const defaultConsoleDir = new URL("../../console/", import.meta.url).pathname;

/** Loads every servable file of `dir` (flat: no sub-folders). */
export function loadAssets(dir = defaultConsoleDir): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = types[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    const gz = type.startsWith("image/png") ? null : gzipSync(body, { level: 9 });
    assets.set(name, {
      type,
      body,
      gzip: gz && gz.length < body.length ? gz : null,
      etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}"`,
    });
  }
  if (!assets.has("index.html")) throw new Error(`console: no index.html in ${dir}`);
  return assets;
}

/**
 * Content-Security-Policy of the page: only its own scripts, styles and API; no inline script, no
 * third-party origin. The page never needs more.
 */
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function consoleRoutes(options: { dir?: string } = {}): FastifyPluginAsync {
  return async (app) => {
    const assets = loadAssets(options.dir);
    const send = (name: string) => async (req: FastifyRequest, reply: FastifyReply) => {
      const asset = assets.get(name);
      if (!asset) return reply.code(404).send({ error: "not found" });
      reply
        .header("content-type", asset.type)
        .header("etag", asset.etag)
        // Revalidate every time (cheap 304): a new daemon version must reach the phones at once.
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer");
      if (name.endsWith(".html")) reply.header("content-security-policy", csp);
      if (name === "sw.js") reply.header("service-worker-allowed", "/");
      if (req.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      if (asset.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
        reply.header("content-encoding", "gzip").header("vary", "accept-encoding");
        return reply.send(asset.gzip);
      }
      return reply.send(asset.body);
    };
    app.get("/", send("index.html"));
    app.get("/console", send("index.html"));
    app.get("/console/", send("index.html"));
    app.get("/sw.js", send("sw.js"));
    app.get<{ Params: { file: string } }>("/console/:file", (req, reply) =>
      send(req.params.file)(req, reply),
    );
  };
}
