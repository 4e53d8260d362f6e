/**
 * Why a poll failed, as data. A poll rejects with a PollError; the scheduler turns it into
 * `emcomm_device_up 0`, a count in `emcomm_poll_errors_total{kind}` and an availability event.
 * The kind is a bounded label; the message (with its target and operation) goes to the log.
 */
export const pollErrorKinds = [
  "timeout", // no answer within the deadline
  "unreachable", // connection refused, host or network unreachable, socket closed
  "auth", // wrong community, v3 keys, credentials, token
  "protocol", // the peer answered something that is not the protocol (garbage, short frame)
  "device", // the peer answered with an error of the protocol (Modbus exception, SNMP error status, HTTP 5xx)
  "decode", // the answer was well formed but does not match the profile (missing object, wrong type)
  "stale", // a streamed device missed its expected reports
  "config", // the device cannot be polled as configured (unknown port, missing secret)
  "internal", // a bug of ours: never expected, always logged
  "local", // the monitor's own fault (EMFILE, ENFILE, ENOMEM, ENOBUFS, EADDRNOTAVAIL, a timeout across a stall of its event loop): not the device's
] as const;

export type PollErrorKind = (typeof pollErrorKinds)[number];

export class PollError extends Error {
  override readonly name = "PollError";
  constructor(
    readonly kind: PollErrorKind,
    /** Context first: "snmp 127.0.0.1:16101 GET sysUpTime.0: request timed out". */
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes of our own host's resources: a poll failing with one says nothing about the device. */
const localCodes = new Set(["EMFILE", "ENFILE", "ENOMEM", "ENOBUFS", "EADDRNOTAVAIL"]);

/** The local resource code in `err` or its causes (a driver may have wrapped it), if any. */
function localCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && localCodes.has(code)) return code;
  }
  return undefined;
}

/**
 * Any thrown value as a PollError, keeping the original as its cause. A local resource error is
 * `local` even when a driver already called it something else.
 */
export function asPollError(err: unknown, context: string): PollError {
  const local = localCode(err);
  if (err instanceof PollError)
    return local && err.kind !== "local"
      ? new PollError("local", `${err.message} (${local}: the monitor's own resources)`, { cause: err })
      : err;
  if (local)
    return new PollError("local", `${context}: ${local}: the monitor's own resources`, { cause: err });
  const code = (err as { code?: string } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ECONNRESET")
    return new PollError("unreachable", `${context}: ${text}`, { cause: err });
  if (code === "ETIMEDOUT" || (err as Error | null)?.name === "DeadlineExceeded")
    return new PollError("timeout", `${context}: ${text}`, { cause: err });
  return new PollError("internal", `${context}: ${text}`, { cause: err });
}

/** A config file that does not validate: every problem at once, each with its place. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n${issues.map(formatIssue).join("\n")}`,
    );
  }
}

export interface ConfigIssue {
  /** Key path, e.g. "devices[3].driver.port". */
  path: string;
  /** What was expected, in words. */
  message: string;
  /** The offending value as written, shortened; absent when the key is missing. */
  value?: string;
  line?: number;
  column?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  const at = issue.line ? `${issue.line}:${issue.column ?? 1} ` : "";
  const got = issue.value === undefined ? "" : ` (got ${issue.value})`;
  return `  ${at}${issue.path || "(root)"}: ${issue.message}${got}`;
}
