/**
 * SNMPv3 against a real snmpd whose engine restarts the way embedded agents do (same engine ID,
 * same engineBoots, engineTime from zero), and with a wrong privacy key. net-snmp keeps its notion
 * of the agent's engine time on the session and discards every answer outside the time window, so
 * without a rediscovery the device stays down while `snmpget -v3` (which discovers every time)
 * works.
 *
 * The agent would need to run more than the 150 s time window before its restart for its
 * engineTime to go back far enough; instead the test moves our process's monotonic clock
 * (performance.now, which net-snmp's notion of engine time follows) 500 s ahead across the
 * restart: the same state, 500 s sooner.
 */
import snmp from "net-snmp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { haveSnmpd, haveSnmpTools, type Snmpd, startSnmpd, V3 } from "../../peers/index.ts";
import { PollError } from "../../src/core/errors.ts";
import { snmpdDriver } from "../../test/support/snmpd-driver.ts";

let snmpd: Snmpd;

const v3Driver = (v3: Record<string, unknown>, timeoutMs?: number) =>
  snmpdDriver(snmpd, { version: "3", retries: 0, v3 }, timeoutMs);

/** performance.now() from now on reads `ahead` ms later than the real one (or a running offset). */
function moveMonotonicClock(ahead: (realNow: number) => number) {
  const real = performance.now.bind(performance);
  vi.spyOn(performance, "now").mockImplementation(() => real() + ahead(real()));
}

function rawSessionGet(session: ReturnType<typeof snmp.createV3Session>) {
  return new Promise<unknown>((resolve, reject) =>
    session.get(["1.3.6.1.2.1.1.3.0"], (err, vbs) => (err ? reject(err) : resolve(vbs))),
  );
}

const poll = (d: ReturnType<typeof v3Driver>) => d.poll(new AbortController().signal);
const good = { user: V3.user, authKey: V3.authKey, privKey: V3.privKey };

describe.skipIf(!haveSnmpd || !haveSnmpTools)("snmp v3 engine changes and key errors (real snmpd)", () => {
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("agent restarted with its engineTime gone back and the same engineBoots: up again at once", async () => {
    const d = v3Driver(good);
    const raw = snmp.createV3Session(
      "127.0.0.1",
      {
        name: V3.user,
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols.sha,
        authKey: V3.authKey,
        privProtocol: snmp.PrivProtocols.aes,
        privKey: V3.privKey,
      },
      { port: snmpd.port, retries: 0, timeout: 2_000 },
    );
    try {
      expect((await poll(d)).length).toBeGreaterThan(0);
      await rawSessionGet(raw);

      moveMonotonicClock(() => 500_000);
      await snmpd.restart({ keepEngineBoots: true });

      // What the issue saw: a session that does not rediscover stays outside the time window.
      const stuck = await rawSessionGet(raw).then(
        () => undefined,
        (err: { code?: number; message?: string }) => err,
      );
      // Depending on which side notices first, net-snmp says so itself (ENotInTimeWindow) or relays the
      // agent's notInTimeWindow report (EAuthFailure "Not In Time Window"): stuck either way.
      expect(stuck).toBeDefined();
      expect([snmp.ResponseInvalidCode.ENotInTimeWindow, snmp.ResponseInvalidCode.EAuthFailure]).toContain(
        stuck?.code,
      );
      expect(stuck?.message).toMatch(/time window/i);

      // Ours: the first poll after the restart rediscovers the engine and succeeds.
      let polls = 0;
      let samples: Awaited<ReturnType<typeof poll>> | undefined;
      let last: unknown;
      while (!samples && polls < 3) {
        polls++;
        samples = await poll(d).catch((err) => {
          last = err;
          return undefined;
        });
      }
      expect(samples, String(last)).toBeDefined();
      expect(polls).toBeLessThanOrEqual(3);
      expect(samples!.find((s) => s.metric === "system_uptime_seconds")?.value).toBeLessThan(100);
    } finally {
      raw.close();
      await d.close();
    }
  });

  it("engine time that keeps leaving the window after a rediscovery: auth, naming the engine time", async () => {
    // Our clock runs 1000 s ahead on every read: whatever the agent says is out of the window.
    let reads = 0;
    moveMonotonicClock(() => ++reads * 1_000_000);
    const d = v3Driver(good);
    try {
      const err = await poll(d).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PollError);
      expect(err).toMatchObject({
        kind: "auth",
        message: expect.stringMatching(
          /after rediscovering its engine \(engine [0-9a-f]+, engineBoots \d+, engineTime \d+\)/,
        ),
      });
    } finally {
      await d.close();
    }
  });

  it("wrong privacy key: auth that names the privacy key, not a plain timeout", async () => {
    const d = v3Driver({ ...good, privKey: "wrong-priv-pass" }, 1_500);
    try {
      for (let i = 0; i < 2; i++)
        await expect(poll(d)).rejects.toMatchObject({
          kind: "auth",
          message: expect.stringMatching(/answered engine discovery .* wrong privacy key \(privKey\)/),
        });
    } finally {
      await d.close();
    }
  });
});
