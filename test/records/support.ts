/**
 * A month of maintenance records over the SLA harness (test/support/harness.ts): the records API and
 * the report API on one Fastify instance (inject, no socket), the harness's FakeClock and store,
 * tokens for an engineer and a supervisor. Segments of the month run with `h.run`, API calls
 * happen between them at the clock's instant.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { reportAccess } from "../../src/api/http.ts";
import { startRecords } from "../../src/records/index.ts";
import { startReports } from "../../src/report/wire.ts";
import { StatusBoard } from "../../src/status.ts";
import { Harness, site, tcpDevice } from "../support/harness.ts";

export const tokens = { supervisor: "sup-token-0123456789", engineer: "eng-token-0123456789" };
export type Who = keyof typeof tokens | "nobody";

export const inventory = {
  sites: [site("vehicle"), site("fixed")],
  devices: [
    tcpDevice("vehicle-ups", "vehicle", { kind: "ups" }),
    tcpDevice("fixed-modem", "fixed", { kind: "satellite-modem" }),
    tcpDevice("console", "fixed", { kind: "dispatch-console" }),
  ],
  sla: {
    api: {
      tokens: [
        { name: "wang.bureau", role: "supervisor", token: tokens.supervisor },
        { name: "li.engineer", role: "engineer", token: tokens.engineer },
      ],
      openReadsOnLoopback: false,
    },
  },
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
