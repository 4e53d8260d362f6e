/**
 * `emcomm tickets ...`, `emcomm maintenance ...`, `emcomm site deploy|standdown` and
 * `emcomm availability`: thin clients of the daemon's /api/v1 (so the audit trail names the
 * token's holder and the daemon's engines see every change at once). `availability -c FILE`
 * reads the store directly instead, for a month recomputed with the daemon stopped.
 *
 * The daemon is found at --url or EMCOMM_URL (default http://127.0.0.1:9464); the bearer token
 * comes from EMCOMM_TOKEN or --token-file, never from the command line (it would show in ps).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadConfigFile } from "../config/load.ts";
import { availabilityForPeriod } from "../ledger/availability.ts";
import { monthOf, monthPeriod } from "../ledger/period.ts";
import { openExistingStore } from "../store/db.ts";

export interface ClientOptions {
  url?: string;
  tokenFile?: string;
  json?: boolean;
}

export async function call(
  opts: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const base = (opts.url ?? process.env.EMCOMM_URL ?? "http://127.0.0.1:9464").replace(/\/$/, "");
  const token = opts.tokenFile
    ? readFileSync(opts.tokenFile, "utf8").replace(/\r?\n$/, "")
    : process.env.EMCOMM_TOKEN;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(`cannot reach the daemon at ${base}: ${(err as Error).message}`, { cause: err });
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; issues?: string[] };
  if (!res.ok)
    throw new Error(
      `${method} ${path}: ${res.status} ${data.error ?? res.statusText}${data.issues ? `\n  ${data.issues.join("\n  ")}` : ""}`,
    );
  return data;
}

const time = (s: string): number => {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${s} (ISO 8601, e.g. 2026-11-03T08:00:00+08:00)`);
  return ms;
};
const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : "-");

export function print(opts: ClientOptions, data: unknown, text: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

/** A query string of the options given (those left out or empty are not sent). */
export const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));

export const withClient = (c: Command) =>
  c
    .option("--url <url>", "daemon URL (default $EMCOMM_URL or http://127.0.0.1:9464)")
    .option("--token-file <file>", "file holding the bearer token (default: $EMCOMM_TOKEN)")
    .option("--json", "print JSON");

export async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

interface TicketJson {
  id: number;
  device: string | null;
  level: string;
  state: string;
  code: string;
  reportedAt: number;
  symptom: string;
  repeatOf: number | null;
  flapping: boolean;
  clocks: Record<string, { status: string; remainingMs: number }>;
}

const ticketLine = (t: TicketJson) =>
  [
    `#${t.id}`.padEnd(6),
    t.level.padEnd(8),
    t.state.padEnd(9),
    (t.device ?? "-").padEnd(18),
    t.code.padEnd(14),
    iso(t.reportedAt),
    ...["respond", "onsite", "repair"].map(
      (c) => `${c}:${t.clocks[c]?.status}(${Math.round((t.clocks[c]?.remainingMs ?? 0) / 60000)}m)`,
    ),
    t.repeatOf ? `repeat-of:#${t.repeatOf}` : "",
    t.flapping ? "flapping" : "",
  ].join(" ");

export function registerSlaCommands(program: Command): void {
  const tickets = program
    .command("tickets")
    .description("fault tickets: list, show, open and move them through the fault flow");
  withClient(tickets.command("list"))
    .description("list tickets")
    .option("--state <state>", "opened|accepted|onsite|cleared|closed|open")
    .option("--level <level>", "major|general|consult")
    .option("--device <id>")
    .option("--site <id>")
    .action((o: ClientOptions & Record<string, string>) =>
      run(async () => {
        const q = query({ state: o.state, level: o.level, device: o.device, site: o.site });
        const data = (await call(o, "GET", `/api/v1/tickets?${q}`)) as { tickets: TicketJson[] };
        print(o, data, () => data.tickets.map(ticketLine).join("\n") || "no tickets");
      }),
    );
  withClient(tickets.command("show").argument("<id>"))
    .description("a ticket with its clocks and audit trail")
    .action((id: string, o: ClientOptions) =>
      run(async () => {
        const t = (await call(o, "GET", `/api/v1/tickets/${id}`)) as TicketJson & {
          events: { at: number; actor: string; event: string; detail: unknown }[];
        };
        print(o, t, () =>
          [
            ticketLine(t),
            `symptom: ${t.symptom}`,
            ...t.events.map(
              (e) =>
                `  ${iso(e.at)} ${e.event.padEnd(10)} ${e.actor} ${e.detail ? JSON.stringify(e.detail) : ""}`,
            ),
          ].join("\n"),
        );
      }),
    );
  withClient(tickets.command("open"))
    .description("open a ticket by hand (phone report, consultation)")
    .requiredOption("--level <level>", "major|general|consult")
    .requiredOption("--symptom <text>")
    .option("--device <id>")
    .option("--fault-type <text>")
    .option("--code <code>", "fault code (default manual)")
    .option("--reported-at <time>", "when it was reported (default now)")
    .action((o: ClientOptions & Record<string, string>) =>
      run(async () => {
        const body = {
          level: o.level,
          symptom: o.symptom,
          ...(o.device ? { device: o.device } : {}),
          ...(o.faultType ? { faultType: o.faultType } : {}),
          ...(o.code ? { code: o.code } : {}),
          ...(o.reportedAt ? { reportedAt: time(o.reportedAt) } : {}),
        };
        const t = (await call(o, "POST", "/api/v1/tickets", body)) as TicketJson;
        print(o, t, () => ticketLine(t));
      }),
    );
  for (const action of ["accept", "arrive", "clear", "verify", "reject", "comment"] as const)
    withClient(tickets.command(action).argument("<id>"))
      .description(
        {
          accept: "accept the ticket (the contract's response)",
          arrive: "record arrival on site",
          clear: "report it cleared (销障), with the fault record",
          verify: "bureau: service restored, close it (结单)",
          reject: "bureau: not restored, back to the contractor (clocks keep running)",
          comment: "add a note to the audit trail",
        }[action],
      )
      .option("--note <text>")
      .option("--cause <text>")
      .option("--handling <text>")
      .option("--responsibility <text>")
      .option("--lessons <text>")
      .option("--handler <name>")
      .option("--repaired-at <time>", "clear: repair time (default: measured restoration, else now)")
      .action((id: string, o: ClientOptions & Record<string, string>) =>
        run(async () => {
          const body: Record<string, unknown> = {};
          for (const k of ["note", "cause", "handling", "responsibility", "lessons", "handler"])
            if (o[k]) body[k] = o[k];
          if (o.repairedAt) body.repairedAt = time(o.repairedAt);
          const t = (await call(o, "POST", `/api/v1/tickets/${id}/${action}`, body)) as TicketJson;
          print(o, t, () => ticketLine(t));
        }),
      );

  withClient(tickets.command("report"))
    .description("SLA verdicts of a month's tickets: response, on site, repair timeliness, repeat faults")
    .requiredOption("--month <YYYY-MM>")
    .action((o: ClientOptions & { month: string }) =>
      run(async () => {
        const r = (await call(o, "GET", `/api/v1/tickets/report?month=${encodeURIComponent(o.month)}`)) as {
          byLevel: Record<string, number>;
          clocks: Record<string, { met: number; breached: number; pending: number; percent: number | null }>;
          repeatFaults: { ticket: number; repeatOf: number }[];
          at: number;
          timeliness: {
            bySettlementMonth: {
              met: number;
              breached: number;
              pending: number;
              percent: number | null;
              attribution: string;
            };
          };
        };
        print(o, r, () =>
          [
            `tickets by level: ${Object.entries(r.byLevel)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}`,
            ...Object.entries(r.clocks).map(
              ([k, c]) =>
                `${k.padEnd(8)} met ${c.met}, breached ${c.breached}, pending ${c.pending}: ${c.percent === null ? "n/a" : `${c.percent.toFixed(2)} %`}`,
            ),
            `repair timeliness by reported month (above) and as the score sheet counts it (${r.timeliness.bySettlementMonth.attribution}): ` +
              `${r.timeliness.bySettlementMonth.met}/${r.timeliness.bySettlementMonth.met + r.timeliness.bySettlementMonth.breached}, ` +
              `${r.timeliness.bySettlementMonth.pending} pending: ${r.timeliness.bySettlementMonth.percent === null ? "n/a" : `${r.timeliness.bySettlementMonth.percent.toFixed(2)} %`}`,
            `repeat faults: ${r.repeatFaults.length}${r.repeatFaults.map((x) => ` #${x.ticket}→#${x.repeatOf}`).join("")}`,
            `as of ${iso(r.at)}`,
          ].join("\n"),
        );
      }),
    );
  withClient(tickets.command("update").argument("<id>"))
    .description("fill in fault-record fields (any state; audited with before and after)")
    .option("--symptom <text>")
    .option("--fault-type <text>")
    .option("--cause <text>")
    .option("--handling <text>")
    .option("--responsibility <text>")
    .option("--lessons <text>")
    .option("--handler <name>")
    .action((id: string, o: ClientOptions & Record<string, string>) =>
      run(async () => {
        const body: Record<string, unknown> = {};
        for (const k of ["symptom", "faultType", "cause", "handling", "responsibility", "lessons", "handler"])
          if (o[k]) body[k] = o[k];
        const t = (await call(o, "PATCH", `/api/v1/tickets/${id}`, body)) as TicketJson;
        print(o, t, () => ticketLine(t));
      }),
    );

  const maintenance = program
    .command("maintenance")
    .description("maintenance windows and drills (excluded from availability)");
  withClient(maintenance.command("list"))
    .description("list windows")
    .action((o: ClientOptions) =>
      run(async () => {
        const data = (await call(o, "GET", "/api/v1/maintenance")) as {
          windows: {
            id: number;
            kind: string;
            status: string;
            startsAt: number;
            endsAt: number;
            devices: string[];
            sites: string[];
            why: string;
            who: string;
          }[];
        };
        print(
          o,
          data,
          () =>
            data.windows
              .map(
                (w) =>
                  `#${w.id} ${w.kind} ${w.status} ${iso(w.startsAt)} → ${iso(w.endsAt)} [${[...w.sites, ...w.devices].join(",")}] ${w.why} (${w.who})`,
              )
              .join("\n") || "no windows",
        );
      }),
    );
  withClient(maintenance.command("add"))
    .description("request a window (a supervisor approves it)")
    .requiredOption("--from <time>")
    .requiredOption("--to <time>")
    .requiredOption("--why <text>")
    .option("--device <id...>")
    .option("--site <id...>")
    .option("--drill", "a drill rather than maintenance")
    .option("--approval-ref <ref>")
    .action(
      (
        o: ClientOptions & {
          from: string;
          to: string;
          why: string;
          device?: string[];
          site?: string[];
          drill?: boolean;
          approvalRef?: string;
        },
      ) =>
        run(async () => {
          const w = await call(o, "POST", "/api/v1/maintenance", {
            kind: o.drill ? "drill" : "maintenance",
            devices: o.device ?? [],
            sites: o.site ?? [],
            startsAt: time(o.from),
            endsAt: time(o.to),
            why: o.why,
            ...(o.approvalRef ? { approvalRef: o.approvalRef } : {}),
          });
          print(o, w, () => `window #${(w as { id: number }).id} requested`);
        }),
    );
  for (const action of ["approve", "cancel"] as const)
    withClient(maintenance.command(action).argument("<id>"))
      .description(action === "approve" ? "bureau: approve a window" : "cancel a window")
      .option("--approval-ref <ref>")
      .action((id: string, o: ClientOptions & { approvalRef?: string }) =>
        run(async () => {
          const w = await call(
            o,
            "POST",
            `/api/v1/maintenance/${id}/${action}`,
            o.approvalRef ? { approvalRef: o.approvalRef } : {},
          );
          print(o, w, () => `window #${id} ${(w as { status: string }).status}`);
        }),
      );

  const site = program
    .command("site")
    .description("service calendar of deployable sites (the command vehicle)");
  for (const action of ["deploy", "standdown"] as const)
    withClient(site.command(action).argument("<site>"))
      .description(
        action === "deploy"
          ? "declare the site deployed (in service from now)"
          : "declare the site stood down",
      )
      .option("--note <text>")
      .option("--at <time>", "when it happened (default now; not in the future)")
      .action((id: string, o: ClientOptions & { note?: string; at?: string }) =>
        run(async () => {
          const d = await call(o, "POST", `/api/v1/sites/${id}/${action}`, {
            ...(o.note ? { note: o.note } : {}),
            ...(o.at ? { at: time(o.at) } : {}),
          });
          print(
            o,
            d,
            () =>
              `${id} ${action === "deploy" ? "deployed" : "stood down"} at ${iso((d as { at: number }).at)}`,
          );
        }),
      );

  withClient(program.command("availability"))
    .description(
      "availability for a month (contract time zone) or a period, per device, site, system and contract",
    )
    .option("--month <YYYY-MM>", "contract month (default: this month)")
    .option("--from <time>")
    .option("--to <time>")
    .option("-c, --config <file>", "read the store of this config directly instead of asking the daemon")
    .option(
      "--as-of <time>",
      "figures up to this instant (default now; a month in progress is month-to-date)",
    )
    .action(
      (o: ClientOptions & { month?: string; from?: string; to?: string; config?: string; asOf?: string }) =>
        run(async () => {
          let data: import("../ledger/availability.ts").AvailabilityReport;
          const asOf = o.asOf ? time(o.asOf) : Date.now();
          if (o.config) {
            const config = loadConfigFile(o.config);
            const tz = config.daemon.timezone;
            const period =
              o.from && o.to
                ? { from: time(o.from), to: time(o.to) }
                : monthPeriod(o.month ?? monthOf(asOf, tz), tz);
            const db = openExistingStore(config.daemon.dataDir);
            try {
              data = availabilityForPeriod(db, config, period, { asOf });
            } finally {
              db.close();
            }
          } else {
            const q =
              o.from && o.to
                ? `from=${time(o.from)}&to=${time(o.to)}`
                : o.month
                  ? `month=${encodeURIComponent(o.month)}`
                  : `from=${monthPeriod(monthOf(asOf)).from}`;
            data = (await call(o, "GET", `/api/v1/availability?${q}&asOf=${asOf}`)) as typeof data;
          }
          const pct = (x: number | null) => (x === null ? "   n/a  " : `${x.toFixed(3).padStart(7)}%`);
          print(o, data, () =>
            [
              `period ${iso(data.period.from)} → ${iso(data.period.to)}  as of ${iso(data.asOf)}  policy ${data.policy.version}`,
              `contract ${pct(data.contract.availability)}`,
              ...Object.entries(data.sites).map(([k, v]) => `site   ${k.padEnd(16)} ${pct(v.availability)}`),
              ...data.devices.map(
                (d) =>
                  `device ${d.device.padEnd(16)} ${pct(d.availability)}  down ${Math.round(d.downMs / 60000)} min of ${Math.round(d.expectedMs / 60000)}`,
              ),
            ].join("\n"),
          );
        }),
    );
}
