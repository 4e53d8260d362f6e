/**
 * The overlays on a device's raw health, in order: an approved maintenance window covering it
 * (`maintenance`), its site not deployed (`not-in-service`), the monitor unable to poll it
 * (`unmonitored`), a blocking upstream (`impacted`, with the root cause and whether it is a third
 * party's), else its raw health (flagged third-party when the device is). Also when a change that
 * leaves an overlay happened: at the overlay's boundary, not at the tick that noticed it.
 */
import type { Config } from "../config/schema.ts";
import { type DeviceState, type MaintenanceWindow, windowCovers } from "../ledger/store.ts";
import type { SiteCalendar } from "./calendar.ts";
import type { Effective, Tracker } from "./tracker.ts";

/** States of an upstream that make the devices behind it `impacted`. */
export const blocking: ReadonlySet<DeviceState> = new Set([
  "down",
  "impacted",
  "maintenance",
  "not-in-service",
]);

export interface OverlayContext {
  windows: readonly MaintenanceWindow[];
  calendar: SiteCalendar;
  trackers: ReadonlyMap<string, Tracker>;
  sla: Config["sla"];
}

/** The state the device is in now, from its raw health and the overlays; `at` is the event time. */
export function overlay(
  t: Tracker,
  now: number,
  ctx: OverlayContext,
): { eff: Effective; at?: number } | null {
  const { device } = t;
  const window = ctx.windows.find(
    (w) => w.startsAt <= now && now < w.endsAt && windowCovers(w, device.id, device.site),
  );
  t.window = window ?? null;
  if (window)
    return {
      eff: {
        state: "maintenance",
        code: null,
        cause: `${window.kind} #${window.id}: ${window.why}`,
        detail: { window: window.id, raw: t.raw },
      },
      at: window.startsAt,
    };
  if (device.calendar === "site" && ctx.calendar.declared(device.site)) {
    const last = ctx.calendar.lastDeclaration(device.site, now);
    if (!last?.deployed)
      return {
        eff: {
          state: "not-in-service",
          code: null,
          cause: `site ${device.site} not deployed`,
          detail: { raw: t.raw },
        },
        ...(last ? { at: last.at } : {}),
      };
  }
  if (t.blind)
    return {
      eff: {
        state: "unmonitored",
        code: null,
        cause: `monitor cannot poll it (${t.blind.kind} error)`,
        detail: { raw: t.raw },
      },
    };
  const raw = t.raw;
  if (!raw) return null;
  const ownThirdParty = ctx.sla.devices[device.id]?.thirdParty ?? false;
  if (raw.state === "down" || t.hold) {
    const upstream = upstreamCause(t, ctx);
    if (upstream || t.hold)
      return {
        eff: {
          state: "impacted",
          code: raw.code,
          cause: upstream
            ? `upstream ${upstream.root} ${upstream.state}`
            : "upstream recovered; awaiting own polls",
          detail: {
            upstream: upstream?.root ?? null,
            thirdParty: upstream?.thirdParty ?? false,
            raw,
          },
        },
      };
  }
  return {
    eff: {
      state: raw.state,
      code: raw.state === "up" ? null : raw.code,
      cause: raw.cause,
      detail: {
        raw,
        ...(ownThirdParty && raw.state !== "up" ? { thirdParty: true } : {}),
        linkDrop: raw.linkDrop,
      },
    },
  };
}

/**
 * When a change from `prev` happened: leaving a window that has ended, at its end; leaving
 * not-in-service for a deployment, at the declaration; else at `at` (all within [.., now]).
 */
export function overlayExit(
  t: Tracker,
  prev: Effective | null,
  enteredAt: number | undefined,
  at: number,
  now: number,
  ctx: OverlayContext,
): number {
  if (prev?.state === "maintenance" && typeof prev.detail.window === "number") {
    const w = ctx.windows.find((x) => x.id === prev.detail.window);
    if (w && w.endsAt <= now) at = Math.max(w.endsAt, Math.min(at, now));
  }
  if (prev?.state === "not-in-service" && enteredAt === undefined) {
    const last = ctx.calendar.lastDeclaration(t.device.site, now);
    if (last?.deployed) at = Math.max(last.at, Math.min(at, now));
  }
  return at;
}

/** The root of a blocking upstream chain in front of the device, if any. */
function upstreamCause(
  t: Tracker,
  ctx: OverlayContext,
): { root: string; state: DeviceState; thirdParty: boolean } | null {
  const id = t.device.upstream;
  if (!id) return null;
  const u = ctx.trackers.get(id);
  const eff = u?.effective;
  if (!u || !eff || !blocking.has(eff.state)) return null;
  if (eff.state === "impacted" && typeof eff.detail.upstream === "string")
    return { root: eff.detail.upstream, state: eff.state, thirdParty: eff.detail.thirdParty === true };
  return { root: id, state: eff.state, thirdParty: ctx.sla.devices[id]?.thirdParty ?? false };
}
