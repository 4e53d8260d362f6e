/**
 * The demo's scenario against the real tcp simulator and the real daemon, on the real clock but
 * compressed: a fault injected on a simulated device opens a ticket within two poll intervals of
 * the fault (down after N = 2 polls here), and clearing it proposes clearance.
 */
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startFleet } from "../../simulators/fleet.ts";
import { startScenario } from "../../simulators/scenario.ts";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { type Daemon, startDaemon } from "../../src/daemon.ts";
import { listTickets } from "../../src/tickets/store.ts";
import { tcpDevice } from "../support/harness.ts";

describe("demo scenario", () => {
  let daemon: Daemon | undefined;
  let stopFleet: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await daemon?.stop();
    await stopFleet?.();
  });

  it("injects a fault that opens a ticket, then clears it and clearance is proposed", async () => {
    const log = pino({ level: "silent" });
    const raw = {
      daemon: { dataDir: ":memory:", http: { host: "127.0.0.1", port: 0 }, scheduler: { jitter: 0 } },
      sites: [{ id: "trunking", name: { zh: "集群", en: "Trunking" } }],
      devices: [{ ...tcpDevice("trunking-console", "trunking"), interval: "1s" }],
      sla: { health: { downAfterPolls: 2, upAfterPolls: 1 } },
    };
    const fleet = await startFleet(raw as never, { clock: systemClock, log });
    stopFleet = () => fleet.stop();
    daemon = await startDaemon({ config: validateConfig(fleet.config), log, clock: systemClock });
    const scenario = startScenario(
      fleet,
      { clock: systemClock, log },
      {
        targets: ["trunking-console"],
        firstMs: 2000,
        everyMs: 60_000,
        durationMs: 4000,
      },
    );
    try {
      const wait = async (pred: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
        return pred();
      };
      const db = daemon.db;
      expect(await wait(() => listTickets(db, {}).length > 0, 8000)).toBe(true);
      const injectedAt = scenario.history()[0]!.injectedAt;
      const t = listTickets(db, {})[0]!;
      expect(t.device).toBe("trunking-console");
      // Declared at the second failed poll: within two poll intervals (2 s) of the fault, plus a poll's slack.
      expect(t.reportedAt - injectedAt).toBeLessThanOrEqual(3500); // 2 intervals + scheduling slack on a loaded host
      expect(await wait(() => listTickets(db, {})[0]!.restoredAt !== null, 8000)).toBe(true);
    } finally {
      scenario.stop();
    }
  }, 20_000);
});
