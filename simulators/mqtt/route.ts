/**
 * Where a simulated Beidou box is: a loop around Shaoguan (24.81 N 113.60 E) through the hills,
 * 20 minutes a lap, each box starting at its own point of the loop. Part of the loop runs
 * through a valley where the boxes lose the sky (no fix, RDSS beams gone) and stop reporting.
 */
export const SHAOGUAN = { lat: 24.81, lon: 113.6 } as const;
export const LAP_MS = 20 * 60_000;
/** The valley: this arc of the loop (degrees), and the approach on each side where signal fades. */
const VALLEY = { from: 200, to: 245, fade: 15 };

export interface RoutePoint {
  lat: number;
  lon: number;
  alt: number;
  heading: number;
  /** 0 in the open, 1 fading at the valley's edge, 2 inside (quiet). */
  shade: 0 | 1 | 2;
}

export function routePoint(now: number, phase: number): RoutePoint {
  const deg = (((now % LAP_MS) / LAP_MS) * 360 + phase * 360) % 360;
  const a = (deg * Math.PI) / 180;
  const lat = SHAOGUAN.lat + 0.06 * Math.sin(a) + 0.01 * Math.sin(3 * a);
  const lon = SHAOGUAN.lon + 0.07 * Math.cos(a);
  const heading = (((Math.atan2(Math.cos(a) * 0.06, -Math.sin(a) * 0.07) * 180) / Math.PI + 360) % 360) | 0;
  const inside = deg >= VALLEY.from && deg <= VALLEY.to;
  const edge = deg >= VALLEY.from - VALLEY.fade && deg <= VALLEY.to + VALLEY.fade;
  return {
    lat: Math.round(lat * 1e6) / 1e6,
    lon: Math.round(lon * 1e6) / 1e6,
    alt: Math.round(90 + 60 * Math.sin(2 * a)),
    heading,
    shade: inside ? 2 : edge ? 1 : 0,
  };
}
