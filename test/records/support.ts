/**
 * A month of maintenance records over the SLA harness (test/support/harness.ts): the records API and
 * the report API on one Fastify instance (inject, no socket), the harness's FakeClock and store,
 * tokens for an engineer and a supervisor. Segments of the month run with `h.run`, API calls
 * happen between them at the clock's instant.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { reportAccess } from "../../src/api/http.ts";
import { startRecords } from "../../src/records/index.ts";
import { checklistIds } from "../../src/records/kinds.ts";
import { startReports } from "../../src/report/wire.ts";
import { StatusBoard } from "../../src/status.ts";
import { apiUsers, at, Harness, site, tcpDevice, tokens } from "../support/harness.ts";

export { tokens };
export type Who = keyof typeof tokens | "nobody";

export const inventory = {
  sites: [site("vehicle"), site("fixed")],
  devices: [
    tcpDevice("vehicle-ups", "vehicle", { kind: "ups" }),
    tcpDevice("fixed-modem", "fixed", { kind: "satellite-modem" }),
    tcpDevice("console", "fixed", { kind: "dispatch-console" }),
  ],
  sla: { api: apiUsers },
  reports: { fee: { contractTotal: 1_000_000 } },
};

export interface World {
  h: Harness;
  app: FastifyInstance;
  status: StatusBoard;
  api<T = Record<string, unknown>>(
    method: "GET" | "POST" | "PUT",
    url: string,
    who: Who,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function recordsWorld(): Promise<World> {
  const h = new Harness(inventory);
  const status = new StatusBoard(h.config.devices.map((d) => d.id));
  const records = startRecords({
    config: h.config,
    db: h.db,
    clock: h.clock,
    log: h.log,
    status,
    tickets: h.tickets,
  });
  const reports = startReports({
    config: h.config,
    db: h.db,
    clock: h.clock,
    log: h.log,
    ...reportAccess(h.config, h.log),
    records: records.figures,
    schedule: false,
  });
  const app = Fastify();
  for (const r of [...records.routes, ...reports.routes]) await app.register(r);
  await app.ready();
  return {
    h,
    app,
    status,
    async api(method, url, who, body) {
      const res = await app.inject({
        method,
        url,
        headers: who === "nobody" ? {} : { authorization: `Bearer ${tokens[who]}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.json() };
    },
    async close() {
      await app.close();
      await reports.stop();
      h.close();
    },
  };
}

/**
 * A drill at the vehicle on 18 November 09:00–12:00, in its approved window, recorded at 13:00
 * by the engineer with these engineers and signed; returns the record's id.
 */
export async function signedDrill(w: World, title: string, engineers: string[]): Promise<number> {
  const window = w.h.approvedWindow({
    kind: "drill",
    sites: ["vehicle"],
    startsAt: at(18, "09:00"),
    endsAt: at(18, "12:00"),
    why: "drill",
  });
  w.h.clock.set(at(18, "13:00"));
  const drill = await w.api<{ id: number }>("POST", "/api/v1/records/drill", "engineer", {
    title,
    startsAt: at(18, "09:00"),
    endsAt: at(18, "12:00"),
    engineers,
    outcome: "done",
    window: window.id,
  });
  await w.api("POST", `/api/v1/records/${drill.body.id}/sign`, "engineer");
  return drill.body.id;
}

/** Every checklist item of an inspection found in order. */
export const allOk = Object.fromEntries(checklistIds.map((i) => [i, { status: "ok" }]));

/**
 * The month's inspection of a device by the engineer, at the clock's instant: created, checked in,
 * its items filled (`items`), its prefilled readings confirmed, and signed; returns the record's id.
 */
export async function signedInspection(
  w: World,
  device: string,
  items: Record<string, unknown> = allOk,
): Promise<number> {
  const c = await w.api<{ id: number }>("POST", "/api/v1/records/inspection", "engineer", {
    device,
    engineers: ["li.engineer"],
  });
  await w.api("POST", `/api/v1/records/${c.body.id}/checkin`, "engineer", {});
  const cur = (
    await w.api<{ body: Record<string, unknown> }>("GET", `/api/v1/records/${c.body.id}`, "engineer")
  ).body;
  await w.api("PUT", `/api/v1/records/${c.body.id}`, "engineer", {
    ...cur.body,
    items,
    readingsConfirmed: true,
  });
  await w.api("POST", `/api/v1/records/${c.body.id}/sign`, "engineer");
  return c.body.id;
}
