/**
 * What each simulated HTTP device answers, per path, given its faults. Pure functions of time and
 * faults; the server (index.ts) handles auth, sessions and the common faults.
 */
export interface HttpModel {
  readonly faults: readonly string[];
  /** Body and content type for `path`, or undefined for 404. */
  answer(
    path: string,
    now: number,
    has: (fault: string) => boolean,
  ): { type: string; body: string } | undefined;
}

const json = (v: unknown) => ({ type: "application/json", body: JSON.stringify(v) });
const xml = (fields: Record<string, string | number>) => ({
  type: "text/xml",
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n${Object.entries(fields)
    .map(([k, v]) => (v === "" ? `<${k}/>` : `<${k}>${v}</${k}>`))
    .join("\n")}\n</response>\n`,
});

/** Faults: `unregistered`, `no-camera`, `no-microphone`, `in-call`. */
export const videoTerminalModel = (): HttpModel => ({
  faults: ["unregistered", "no-camera", "no-microphone", "in-call"],
  answer: (path, _now, has) =>
    path === "/api/status"
      ? json({
          model: "VC880",
          sip: { registered: !has("unregistered"), server: "sip.emcomm.lab" },
          call: { active: has("in-call") ? 1 : 0 },
          devices: { camera: { present: !has("no-camera") }, microphone: { present: !has("no-microphone") } },
        })
      : undefined,
});

/** HiLink: `disconnected` (ConnectionStatus 902), `weak-signal` (RSRP −115 dBm, SINR −3 dB), `reboot` (sessions lost). */
export const cpeModel = (): HttpModel => ({
  faults: ["disconnected", "weak-signal", "reboot"],
  answer(path, now, has) {
    const t = now / 1000;
    const weak = has("weak-signal");
    if (path === "/api/monitoring/status")
      return xml({
        ConnectionStatus: has("disconnected") ? 902 : 901,
        CurrentNetworkType: 19,
        ServiceStatus: has("disconnected") ? 1 : 2,
        SignalIcon: weak ? 1 : 4,
        WanIPAddress: has("disconnected") ? "" : "10.64.12.7",
      });
    if (path === "/api/device/signal")
      return xml({
        pci: 312,
        cell_id: 25_344_001,
        rsrq: `${weak ? -17 : -9 + Math.round(Math.sin(t / 40))}dB`,
        rsrp: `${weak ? -115 : -92 + Math.round(3 * Math.sin(t / 30))}dBm`,
        rssi: weak ? ">=-51dBm" : "-67dBm",
        sinr: `${weak ? -3 : 14 + Math.round(2 * Math.sin(t / 25))}dB`,
        band: 3,
        mode: 7,
      });
    return undefined;
  },
});

/** Ka station: `unlocked` (no lock, no Eb/No), `tx-off`. Parked near Shaoguan. */
export const kaModel = (): HttpModel => ({
  faults: ["unlocked", "tx-off"],
  answer: (path, now, has) =>
    path === "/api/v1/status"
      ? json({
          modem: {
            locked: !has("unlocked"),
            ebno_db: has("unlocked") ? null : Math.round((9.4 + 0.6 * Math.sin(now / 20_000)) * 10) / 10,
            tx_on: !has("tx-off") && !has("unlocked"),
          },
          position: { lat: 24.8108, lon: 113.5972 },
        })
      : undefined,
});
