/**
 * The SLA metrics of health and tickets, read as Prometheus scrapes them.
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerSlaMetrics } from "../../src/api/metrics.ts";
import { at, fixedSite, type Harness, harnessPerTest, tcpDevice } from "../support/harness.ts";

const open = harnessPerTest();

/** A registry with the SLA metrics of the harness's engines, as the daemon registers them. */
function slaMetrics(h: Harness): Registry {
  const registry = new Registry();
  registerSlaMetrics({
    registry,
    config: h.config,
    db: h.db,
    clock: h.clock,
    health: h.health,
    tickets: h.tickets,
  });
  return registry;
}

describe("SLA metrics", () => {
  it("exports states, open tickets, remaining seconds (negative once breached) and breaches once", async () => {
    const h = open({ sites: fixedSite, devices: [tcpDevice("sw", "fixed", { criticality: "major" })] });
    const registry = slaMetrics(h);
    // Down from 10:00, reported 10:02; nobody accepts: respond deadline 10:12.
    h.run(at(1, "09:58"), at(1, "10:15"), (_d, t) => (t >= at(1, "10:00") ? "fail" : "ok"), new Map());
    const text = await registry.metrics();
    expect(text).toContain('emcomm_device_state{device="sw",site="fixed",kind="switch",state="down"} 1');
    expect(text).toContain('emcomm_device_state{device="sw",site="fixed",kind="switch",state="up"} 0');
    expect(text).toContain('emcomm_tickets_open{level="major",state="opened"} 1');
    // At 10:15: respond −3 min, on site 1 h − 13 min = 2820 s.
    expect(text).toContain(
      'emcomm_ticket_clock_remaining_seconds{ticket="1",device="sw",site="fixed",level="major",clock="respond"} -180',
    );
    expect(text).toContain(
      'emcomm_ticket_clock_remaining_seconds{ticket="1",device="sw",site="fixed",level="major",clock="onsite"} 2820',
    );
    expect(text).toContain('emcomm_ticket_breaches_total{level="major",clock="respond"} 1');
    expect(await registry.metrics()).toContain(
      'emcomm_ticket_breaches_total{level="major",clock="respond"} 1',
    );
    // Up 09:58–10:00 then down to 10:15: 2 of 17 minutes available (first seen 09:58).
    const ratio = /emcomm_availability_month_to_date_ratio\{device="sw",site="fixed"\} (\S+)/.exec(text);
    expect(Number(ratio?.[1])).toBeCloseTo(2 / 17, 9);
  });

  it("gives failing polls their fault code from the first failure, so the code label of an alert never changes", async () => {
    const h = open({ sites: fixedSite, devices: [tcpDevice("sw", "fixed", { criticality: "major" })] });
    const registry = slaMetrics(h);
    const fault = async () =>
      (await registry.getSingleMetric("emcomm_device_fault")!.get()).values.map((v) => ({ ...v.labels }));
    const unreachable = [{ device: "sw", site: "fixed", code: "unreachable" }];
    h.run(at(1, "09:58"), at(1, "10:00"), () => "ok", new Map());
    expect(await fault()).toEqual([]);
    h.poll("sw", "fail"); // one failed poll: not down yet, but the code it will go down with is known
    expect(h.health.states()[0]?.state).toBe("up");
    expect(await fault()).toEqual(unreachable);
    h.run(at(1, "10:01"), at(1, "10:05"), () => "fail", new Map());
    expect(h.health.states()[0]?.state).toBe("down");
    expect(await fault()).toEqual(unreachable);
    h.run(at(1, "10:05"), at(1, "10:10"), () => "ok", new Map());
    expect(h.health.states()[0]?.state).toBe("up");
    expect(await fault()).toEqual([]);
  });
});
