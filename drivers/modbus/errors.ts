/** modbus-serial's failures as PollErrors with context. Pure; tested in errors.test.ts. */
import { asPollError, PollError } from "../../src/core/errors.ts";

/** Modbus exception codes by number, as the spec names them (kebab-case, for logs and tests). */
export const exceptionNames: Readonly<Record<number, string>> = {
  1: "illegal-function",
  2: "illegal-data-address",
  3: "illegal-data-value",
  4: "server-device-failure",
  5: "acknowledge",
  6: "server-device-busy",
  8: "memory-parity-error",
  10: "gateway-path-unavailable",
  11: "gateway-target-failed-to-respond",
};

/** The exception code behind a PollError of kind device, if it came from a Modbus exception. */
export function exceptionCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { modbusCode?: unknown } } | null)?.cause;
  return typeof cause?.modbusCode === "number" ? cause.modbusCode : undefined;
}

export function modbusError(err: unknown, context: string): PollError {
  if (err instanceof PollError) return err;
  const e = (err ?? {}) as { modbusCode?: number; errno?: string; code?: string; message?: string };
  const text = e.message ?? String(err);
  if (typeof e.modbusCode === "number") {
    const name = exceptionNames[e.modbusCode] ?? `exception-${e.modbusCode}`;
    return new PollError("device", `${context}: Modbus exception ${e.modbusCode} ${name}`, { cause: err });
  }
  if (/Data length error|CRC error|Unexpected data/i.test(text))
    return new PollError("protocol", `${context}: ${text}`, { cause: err });
  if (e.errno === "ETIMEDOUT" || text === "Timed out")
    return new PollError("timeout", `${context}: no answer`, { cause: err });
  if (/No such file or directory|cannot open/i.test(text))
    return new PollError("config", `${context}: serial port cannot be opened: ${text}`, { cause: err });
  if (
    e.errno === "ECONNREFUSED" ||
    e.code === "ECONNREFUSED" ||
    e.code === "ECONNRESET" ||
    e.code === "EHOSTUNREACH" ||
    /Port Not Open/i.test(text)
  )
    return new PollError("unreachable", `${context}: ${e.code ?? text}`, { cause: err });
  return asPollError(err, context);
}
