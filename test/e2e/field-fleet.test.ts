/**
 * The inventory's Modbus, HTTP and MQTT devices on their simulators, under the real daemon: every
 * one answers with live values, and the Beidou box that starts in the valley goes stale.
 * The daemon runs on a FakeClock (first polls fire at once), the simulators on real time.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Fleet, startFleet } from "../../simulators/fleet.ts";
import { validateConfig } from "../../src/config/load.ts";
import { FakeClock, systemClock } from "../../src/core/clock.ts";
import { type Daemon, startDaemon } from "../../src/daemon.ts";
import { until } from "../support/driver-context.ts";

const mine = new Set(["modbus", "http", "mqtt"]);

describe("modbus, http and mqtt devices of the inventory on their simulators", () => {
  let fleet: Fleet;
  let daemon: Daemon;
  let dir = "";
  const clock = new FakeClock();
  const log = pino({ level: "silent" });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-field-e2e-"));
    const raw = parse(readFileSync(new URL("../../config/emcomm.yaml", import.meta.url), "utf8"));
    raw.devices = raw.devices
      .filter((d: { driver: { protocol: string } }) => mine.has(d.driver.protocol))
      .map(({ upstream: _, ...d }: { upstream?: string }) => d); // upstream switches are not in this subset
    raw.daemon = { ...raw.daemon, dataDir: dir };
    fleet = await startFleet(raw, { clock: systemClock, log });
    daemon = await startDaemon({
      config: validateConfig(fleet.config, "emcomm.yaml (e2e)"),
      log,
      clock,
      http: false,
    });
  });
  afterAll(async () => {
    await daemon?.stop();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gets live values from every device", async () => {
    const ids = daemon.config.devices.map((d) => d.id);
    expect(ids.length).toBe(16); // 2 modbus, 6 http, 8 mqtt
    await clock.advance(10_000);
    const quiet = "beidou-box-6"; // starts in the valley
    await until(
      () => ids.every((id) => id === quiet || daemon.status.get(id)?.up === true),
      "every device up",
      10_000,
    );
    const text = await daemon.metrics.registry.metrics();
    for (const metric of [
      'emcomm_generator_fuel_percent{device="vehicle-generator"',
      'emcomm_buc_pll_locked{device="vehicle-buc"',
      'emcomm_vc_registered{device="vehicle-vc-vc880"',
      'emcomm_cpe_connected{device="vehicle-cpe"',
      'emcomm_ka_sat_locked{device="ka-station"',
      'emcomm_beidou_latitude_degrees{device="beidou-box-1"',
    ])
      expect(text).toContain(metric);
    await clock.advance(15_000);
    await until(() => daemon.status.get(quiet)?.up === false, "the box in the valley to go stale");
    expect(daemon.status.get(quiet)?.lastError?.kind).toBe("stale");
  });
});
