/**
 * The daemon's logger. Quiet by default: info says what changed (a device went down, a ticket
 * opened), per-poll detail is debug. Pretty on a terminal, JSON lines otherwise. Credentials are
 * redacted by key wherever they appear, and Secret values print as "[redacted]" anyway.
 */
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

export const redactedKeys = [
  "community",
  "password",
  "token",
  "authKey",
  "privKey",
  "secret",
  "authorization",
  "cookie",
];

export const redactPaths = redactedKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LogOptions {
  level?: string;
  /** Force pretty (true) or JSON (false); default: pretty when stdout is a terminal. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = process.env.EMCOMM_LOG_LEVEL ?? options.level ?? "info";
  const base = { level, redact: { paths: redactPaths, censor: "[redacted]" }, base: undefined };
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (usePretty)
    return pino(
      base,
      pretty({
        colorize: true,
        translateTime: "SYS:HH:MM:ss",
        ignore: "pid,hostname",
        destination: options.destination ?? 1,
      }),
    );
  return options.destination ? pino(base, options.destination) : pino(base);
}
