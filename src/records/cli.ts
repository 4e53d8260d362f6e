/**
 * `emcomm records …`: a thin client of the daemon's records API (src/records/routes.ts), like
 * `emcomm tickets`: the audit trail and the signatures name the token's holder (EMCOMM_TOKEN or
 * --token-file, never the command line). Bodies come from a JSON file (or `-` for stdin) and are
 * validated by the daemon; its refusals are printed with the problem named.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type ClientOptions, call, print, query, run, withClient } from "../api/cli.ts";

interface RecordJson {
  id: number;
  kind: string;
  period: string;
  subject: string | null;
  state: string;
  version: number;
  digest: string;
}

const line = (r: RecordJson) =>
  `#${r.id} ${r.kind.padEnd(13)} ${r.period} ${(r.subject ?? "").padEnd(16)} ${r.state.padEnd(13)} v${r.version} ${r.digest.slice(0, 12)}`;
const readBody = (file: string): unknown => JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));

/**
 * Sends one request that answers with a record and prints it (its line, or JSON with --json). The
 * body is made inside, so a bad body file is reported like the daemon's refusals.
 */
const sendForRecord = (
  o: ClientOptions,
  method: string,
  path: string,
  body: () => unknown = () => undefined,
) =>
  run(async () => {
    const r = (await call(o, method, path, body())) as RecordJson;
    print(o, r, () => line(r));
  });

export function registerRecordCommands(program: Command): void {
  const records = program
    .command("records")
    .description(
      "maintenance records: inspection plans and records, hidden dangers, joint tests, drills, support tasks, call-backs, the bureau's register",
    );
  withClient(records.command("list"))
    .description("list records")
    .option("--kind <kind>", "plan|inspection|rectification|joint-test|drill|support|callback|register")
    .option("--month <YYYY-MM>", "the month they count in")
    .option("--state <state>")
    .action((o: ClientOptions & { kind?: string; month?: string; state?: string }) =>
      run(async () => {
        const q = query({ kind: o.kind, period: o.month, state: o.state });
        const data = (await call(o, "GET", `/api/v1/records?${q}`)) as { records: RecordJson[] };
        print(o, data, () => data.records.map(line).join("\n") || "no records");
      }),
    );
  withClient(records.command("show").argument("<id>"))
    .description("a record with its versions, signatures and audit trail")
    .action((id: string, o: ClientOptions) =>
      run(async () => {
        const r = (await call(o, "GET", `/api/v1/records/${id}`)) as RecordJson & {
          body: unknown;
          signatures: {
            action: string;
            signer: string;
            role: string;
            at: number;
            version: number;
            digest: string;
          }[];
          versions: { version: number; at: number; actor: string; reason: string | null }[];
        };
        print(o, r, () =>
          [
            line(r),
            JSON.stringify(r.body, null, 2),
            "versions:",
            ...r.versions.map(
              (v) =>
                `  v${v.version} ${new Date(v.at).toISOString()} ${v.actor}${v.reason ? ` (${v.reason})` : ""}`,
            ),
            "signatures:",
            ...r.signatures.map(
              (s) =>
                `  ${s.action} v${s.version} ${s.signer} (${s.role}) ${new Date(s.at).toISOString()} sha256 ${s.digest}`,
            ),
          ].join("\n"),
        );
      }),
    );
  withClient(
    records.command("create").argument("<kind>").requiredOption("--file <file>", "JSON body (- for stdin)"),
  )
    .description("create a record")
    .action((kind: string, o: ClientOptions & { file: string }) =>
      sendForRecord(o, "POST", `/api/v1/records/${kind}`, () => readBody(o.file)),
    );
  withClient(
    records.command("edit").argument("<id>").requiredOption("--file <file>", "JSON body (- for stdin)"),
  )
    .description("change an unsigned record (a new version)")
    .action((id: string, o: ClientOptions & { file: string }) =>
      sendForRecord(o, "PUT", `/api/v1/records/${id}`, () => readBody(o.file)),
    );
  withClient(
    records
      .command("correct")
      .argument("<id>")
      .requiredOption("--file <file>", "JSON body (- for stdin)")
      .requiredOption("--reason <text>", "why the signed record is corrected"),
  )
    .description("correct a signed record: a new version with a reason, signed again")
    .action((id: string, o: ClientOptions & { file: string; reason: string }) =>
      sendForRecord(o, "POST", `/api/v1/records/${id}/correct`, () => ({
        body: readBody(o.file),
        reason: o.reason,
      })),
    );
  withClient(records.command("checkin").argument("<id>").option("--position <text>", "GPS lat, lon ±m"))
    .description("check in on site for an inspection")
    .action((id: string, o: ClientOptions & { position?: string }) =>
      sendForRecord(o, "POST", `/api/v1/records/${id}/checkin`, () =>
        o.position ? { position: o.position } : {},
      ),
    );
  withClient(
    records
      .command("hazard")
      .argument("<inspection>")
      .requiredOption("--description <text>")
      .option("--broken", "something is broken: open a fault ticket too")
      .option("--level <level>", "the ticket's level: major|general|consult")
      .option("--plan <text>", "the rectification plan")
      .option("--due <YYYY-MM-DD>"),
  )
    .description(
      "a hidden danger found by an inspection: a rectification item (and a fault ticket when broken)",
    )
    .action(
      (
        id: string,
        o: ClientOptions & {
          description: string;
          broken?: boolean;
          level?: string;
          plan?: string;
          due?: string;
        },
      ) =>
        run(async () => {
          const body = {
            description: o.description,
            broken: o.broken === true,
            ...(o.level ? { level: o.level } : {}),
            ...(o.plan ? { plan: o.plan } : {}),
            ...(o.due ? { due: o.due } : {}),
          };
          const r = (await call(o, "POST", `/api/v1/records/${id}/hazards`, body)) as {
            rectification: RecordJson;
            ticket: number | null;
          };
          print(o, r, () => `${line(r.rectification)}${r.ticket ? ` ticket #${r.ticket}` : ""}`);
        }),
    );
  for (const [step, what] of [
    ["submit", "contractor: submit a plan to the bureau"],
    ["approve", "bureau: approve a plan"],
    ["return", "bureau: return a plan or a record with comments"],
    ["sign", "contractor: sign an inspection, a joint test, a drill or a support task"],
    ["countersign", "bureau: countersign a signed record"],
    ["close", "close a rectification item (--comment says how)"],
    ["reopen", "bureau: reopen a closed rectification item"],
  ] as const)
    withClient(records.command(step).argument("<id>").option("--comment <text>"))
      .description(what)
      .action((id: string, o: ClientOptions & { comment?: string }) =>
        sendForRecord(o, "POST", `/api/v1/records/${id}/${step}`, () =>
          o.comment ? { comment: o.comment } : {},
        ),
      );
  withClient(records.command("figures").argument("<month>"))
    .description("what the month's records count on the score sheet, with the evidence")
    .action((month: string, o: ClientOptions) =>
      run(async () => {
        const f = (await call(o, "GET", `/api/v1/records/figures/${month}`)) as {
          counts: Record<string, unknown>;
          evidence: Record<string, string[]>;
        };
        print(o, f, () =>
          Object.entries(f.evidence)
            .map(([l, ev]) => `${l}:\n${ev.map((e) => `  ${e}`).join("\n")}`)
            .join("\n"),
        );
      }),
    );
  withClient(
    records
      .command("report")
      .argument("<month>")
      .argument("<report>", "inspection (月度巡检报告) | joint-test (月度联调报告)")
      .option("--format <format>", "json|xlsx|csv|md|html", "md")
      .option("--table <id>", "the CSV table")
      .option("--out <file>", "write to a file (default: stdout; xlsx needs --out)"),
  )
    .description("the month's inspection or joint test report")
    .action(
      (month: string, report: string, o: ClientOptions & { format: string; table?: string; out?: string }) =>
        run(async () => {
          const base = (o.url ?? process.env.EMCOMM_URL ?? "http://127.0.0.1:9464").replace(/\/$/, "");
          const token = o.tokenFile ? readFileSync(o.tokenFile, "utf8").trim() : process.env.EMCOMM_TOKEN;
          const q = o.table ? `?table=${encodeURIComponent(o.table)}` : "";
          const res = await fetch(`${base}/api/v1/records/reports/${month}-${report}.${o.format}${q}`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
          });
          const body = Buffer.from(await res.arrayBuffer());
          if (!res.ok) throw new Error(`${res.status} ${body.toString("utf8")}`);
          if (o.out) writeFileSync(o.out, body);
          else if (o.format === "xlsx") throw new Error("xlsx is binary: give --out FILE");
          else process.stdout.write(body);
        }),
    );
}
