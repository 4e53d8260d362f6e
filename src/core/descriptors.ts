/**
 * Open file descriptors a fleet needs, checked once at start. SNMP devices hold one UDP socket per
 * SNMP_DEVICES_PER_SOCKET for the daemon's life (their net-snmp sessions share it, see
 * drivers/snmp/shared-socket.ts); everything else (HTTP listener and clients, the trap receiver, SQLite, MQTT
 * and Modbus connections, logs) fits in a fixed reserve. Node raises its soft limit to the hard
 * limit at start, so the limit that counts is the hard one (`ulimit -Hn`, systemd LimitNOFILE=).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";

/** Descriptors kept for everything that is not a per-device socket. */
export const DESCRIPTOR_RESERVE = 256;

/** SNMP devices whose sessions share one UDP socket. */
export const SNMP_DEVICES_PER_SOCKET = 16;

/** Descriptors a daemon with `snmpDevices` SNMP devices needs. */
export function descriptorsNeeded(snmpDevices: number): number {
  return Math.ceil(snmpDevices / SNMP_DEVICES_PER_SOCKET) + DESCRIPTOR_RESERVE;
}

/** This process's soft limit on open descriptors (Linux /proc), or undefined where unknown. */
export function descriptorLimit(limits = readLimits()): number | undefined {
  const line = limits?.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  if (soft === undefined || soft === "unlimited") return undefined;
  const n = Number(soft);
  return Number.isFinite(n) ? n : undefined;
}

/** A message when the limit is too low for the fleet, else undefined. */
export function descriptorShortfall(snmpDevices: number, limit = descriptorLimit()): string | undefined {
  const needed = descriptorsNeeded(snmpDevices);
  if (limit === undefined || limit >= needed) return undefined;
  return `open-file limit ${limit} is below the ${needed} descriptors this fleet needs (one per ${SNMP_DEVICES_PER_SOCKET} SNMP devices, ${snmpDevices}, plus ${DESCRIPTOR_RESERVE}): raise it (ulimit -n, systemd LimitNOFILE=) or polls will fail with EMFILE`;
}

/**
 * How many descriptors this process has open (Linux /proc), or undefined where unknown. Called on
 * every /metrics scrape. Since Linux 6.2 the size of /proc/self/fd is that count, one stat however
 * many are open; older kernels report 0 there, and the directory is listed instead (a name per
 * descriptor, minus the one the listing itself opened).
 */
export function openDescriptors(): number | undefined {
  try {
    const size = statSync("/proc/self/fd").size;
    return size > 0 ? size : readdirSync("/proc/self/fd").length - 1;
  } catch {
    return undefined;
  }
}

function readLimits(): string | undefined {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
}
