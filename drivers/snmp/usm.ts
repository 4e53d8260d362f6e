/**
 * SNMPv3 user-based security (RFC 3414) as it goes wrong in the field, in words and kinds: an
 * agent whose engine restarted without a new engineBoots (embedded agents of modems and UPS cards
 * often do not persist it), and a wrong privacy key, which most agents answer with silence.
 * Pure functions over net-snmp's errors; the transport decides what to do with them.
 */
import snmp, { type Session } from "net-snmp";

/** usmStats report OIDs under 1.3.6.1.6.3.15.1.1, as net-snmp names them in its error message. */
const RESYNC_REPORTS = /^(Not In Time Window|Unknown Engine ID)$/;

/**
 * True when the agent says our notion of its engine is stale: a notInTimeWindow or
 * unknownEngineID report, or an authentic answer outside the time window (its engineTime went
 * back). The cure (RFC 3414 §4) is to rediscover the engine and send the request again.
 */
export function needsRediscovery(err: unknown): boolean {
  const e = err as { name?: string; code?: number; message?: string } | null;
  if (e?.name !== "ResponseInvalidError") return false;
  const codes = snmp.ResponseInvalidCode;
  if (e.code === codes.ENotInTimeWindow) return true;
  return e.code === codes.EAuthFailure && RESYNC_REPORTS.test(e.message ?? "");
}

/** True for net-snmp's report of a usmStatsDecryptionErrors counter (agents that send it). */
export function isDecryptionReport(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return e?.name === "ResponseInvalidError" && e.message === "Decryption Error";
}

/** "engine 80001f88…, engineBoots 1, engineTime 32" from what discovery learned. */
export function describeEngine(params: Session["msgSecurityParameters"]): string {
  if (!params) return "engine not discovered";
  const id = Buffer.from(params.msgAuthoritativeEngineID).toString("hex");
  return `engine ${id}, engineBoots ${params.msgAuthoritativeEngineBoots}, engineTime ${params.msgAuthoritativeEngineTime}`;
}
