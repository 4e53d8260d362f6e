/**
 * The duty console's server side without a browser: the static files (ETag, gzip, nothing outside
 * the folder), /api/v1/me and the read policy, the store watcher on a
 * FakeClock (new rows only, never a replay) and the SSE stream over a real socket.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { FakeClock } from "../../src/core/clock.ts";
import { EventHub, watchStore } from "../../src/duty-console/events.ts";
import { startConsole } from "../../src/duty-console/index.ts";
import { addWindow, appendTransition } from "../../src/ledger/store.ts";
import { type Db, openStore } from "../../src/store/db.ts";
import { appendEvent, insertTicket } from "../../src/tickets/store.ts";
import { unreachableTicket } from "../support/harness.ts";
import { quietLog } from "../support/log.ts";

const root = new URL("../../", import.meta.url).pathname;

function config(openReads = false): Config {
  const raw = parse(readFileSync(join(root, "config/emcomm.yaml"), "utf8"));
  process.env.EMCOMM_UNIT_ENGINEER = "unit-engineer";
  raw.sla = {
    api: {
      openReadsOnLoopback: openReads,
      tokens: [{ name: "eng-li", role: "engineer", token: { env: "EMCOMM_UNIT_ENGINEER" } }],
    },
  };
  return validateConfig(raw);
}

function ticketRow(db: Db, at: number) {
  return insertTicket(db, unreachableTicket("trunking-console", "trunking", at));
}

let db: Db;
let clock: FakeClock;
let app: FastifyInstance;
let stop: () => void;

beforeEach(async () => {
  db = openStore(":memory:");
  clock = new FakeClock();
  const c = startConsole({ config: config(), db, clock, log: quietLog });
  stop = c.stop;
  app = Fastify();
  for (const r of c.routes) await app.register(r);
});

afterEach(async () => {
  stop();
  await app.close();
  db.close();
});

const remote = { remoteAddress: "10.1.2.3" };
const engineer = { authorization: "Bearer unit-engineer" };

describe("console static files", () => {
  it("serves the page at / and /console with a strict CSP, and revalidates with a 304", async () => {
    for (const url of ["/", "/console", "/console/"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    }
    const first = await app.inject({ url: "/console/app.js" });
    expect(first.headers["content-type"]).toContain("text/javascript");
    const again = await app.inject({
      url: "/console/app.js",
      headers: { "if-none-match": String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const gz = await app.inject({ url: "/console/style.css", headers: { "accept-encoding": "gzip, br" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.rawPayload.length).toBeLessThan(first.rawPayload.length * 2);
  });

  it("serves only the files of the console folder", async () => {
    for (const url of ["/console/..%2Fpackage.json", "/console/nope.js", "/console/%2e%2e%2fREADME.md"])
      expect((await app.inject({ url })).statusCode, url).toBe(404);
  });
});

describe("console files", () => {
  it("the page preloads the modules of its first load, no others, and the service worker keeps every file", () => {
    const dir = join(root, "console");
    const files = readdirSync(dir).filter((f) => f !== "sw.js");
    const html = readFileSync(join(dir, "index.html"), "utf8");
    const sw = readFileSync(join(dir, "sw.js"), "utf8");
    const source = (f: string) => readFileSync(join(dir, f), "utf8");
    // The first load: app.js and what it imports statically, module by module.
    const eager = new Set(["app.js"]);
    for (const f of eager)
      for (const m of source(f).matchAll(/^import [^;]*? from "\.\/([\w-]+\.js)";/gms)) eager.add(m[1]!);
    const lazy = files.filter((f) => f.endsWith(".js") && !eager.has(f));
    expect(lazy.sort()).toEqual(["activities.js", "plans.js", "records.js", "register.js"]);
    for (const f of lazy) expect(source("views.js"), f).toContain(`import("./${f}")`);
    for (const f of [...eager].filter((f) => f !== "app.js"))
      expect(html, f).toContain(`<link rel="modulepreload" href="/console/${f}">`);
    for (const f of lazy) expect(html, f).not.toContain(`/console/${f}`);
    for (const f of files.filter((f) => f !== "index.html")) expect(sw, f).toContain(`"/console/${f}"`);
  });
});

describe("console reads", () => {
  it("/api/v1/me names the token's holder and refuses without one", async () => {
    expect((await app.inject({ url: "/api/v1/me" })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: "/api/v1/me", headers: { authorization: "Bearer wrong" } })).statusCode,
    ).toBe(401);
    const me = await app.inject({ url: "/api/v1/me", headers: engineer });
    expect(me.json()).toEqual({ name: "eng-li", role: "engineer" });
    expect(me.body).not.toContain("unit-engineer");
  });

  it("needs a token for reads when open reads are off", async () => {
    expect((await app.inject({ url: "/api/v1/console", ...remote })).statusCode).toBe(401);
    expect((await app.inject({ url: "/api/v1/events", ...remote })).statusCode).toBe(401);
    const meta = await app.inject({ url: "/api/v1/console", ...remote, headers: engineer });
    expect(meta.statusCode).toBe(200);
    expect(meta.json().sites.map((s: { id: string }) => s.id)).toContain("trunking");
    expect(meta.json().devices.find((d: { id: string }) => d.id === "trunking-console")).toMatchObject({
      site: "trunking",
      name: { zh: "370M窄带集群指挥调度台" },
    });
    expect(meta.json().clocks.major).toEqual({ respond: 600_000, onsite: 3_600_000, repair: 14_400_000 });
  });
});

describe("store watcher", () => {
  it("publishes new ticket events, transitions and window changes once each, never old rows", async () => {
    const hub = new EventHub();
    const seen: string[] = [];
    const old = ticketRow(db, clock.now());
    appendEvent(db, {
      ticketId: old.id,
      at: clock.now(),
      actor: "monitor",
      event: "opened",
      fromState: null,
      toState: "opened",
      detail: null,
    });
    const watcher = watchStore(db, clock, hub, 1000);
    hub.subscribe((e) => seen.push(`${e.type}:${String(e.data.event ?? e.data.state ?? "")}`));
    await clock.advance(1000);
    expect(seen).toEqual([]);
    appendEvent(db, {
      ticketId: old.id,
      at: clock.now(),
      actor: "eng-li",
      event: "accepted",
      fromState: "opened",
      toState: "accepted",
      detail: null,
    });
    appendTransition(db, {
      device: "trunking-console",
      site: "trunking",
      state: "down",
      previous: "up",
      at: clock.now(),
      recordedAt: clock.now(),
      code: "unreachable",
      cause: "no answer",
      detail: null,
    });
    addWindow(db, {
      kind: "drill",
      devices: [],
      sites: ["trunking"],
      startsAt: clock.now() + 1,
      endsAt: clock.now() + 2,
      who: "eng-li",
      why: "drill",
      approvalRef: null,
      createdAt: clock.now(),
    });
    await clock.advance(1000);
    expect(seen).toEqual(["ticket:accepted", "state:down", "windows:"]);
    await clock.advance(5000);
    expect(seen).toHaveLength(3);
    // A poke publishes on the next timer turn, not at the next poll.
    appendEvent(db, {
      ticketId: old.id,
      at: clock.now(),
      actor: "eng-li",
      event: "commented",
      fromState: "accepted",
      toState: "accepted",
      detail: null,
    });
    watcher.poke();
    watcher.poke();
    await clock.advance(0);
    expect(seen.at(-1)).toBe("ticket:commented");
    expect(seen).toHaveLength(4);
    watcher.stop();
  });
});

describe("event stream", () => {
  it("streams hello and published events, and ends when the server closes", async () => {
    const c = startConsole({ config: config(true), db, clock, log: quietLog });
    const server = Fastify();
    for (const r of c.routes) await server.register(r);
    const url = await server.listen({ host: "127.0.0.1", port: 0 });
    const res = await fetch(`${url}/api/v1/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: hello")) text += (await reader.read()).value ?? "";
    c.hub.publish({ type: "ticket", data: { ticket: 7, event: "accepted" } });
    while (!text.includes("event: ticket")) text += (await reader.read()).value ?? "";
    expect(text).toContain('data: {"ticket":7,"event":"accepted"}');
    await server.close();
    for (;;) if ((await reader.read()).done) break;
    c.stop();
  });
});
