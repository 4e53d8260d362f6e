/**
 * A trap storm: 10,000 SNMPv2c traps a second for 10 s from one source, at a daemon in a child
 * process whose device is a real snmpd. The device is re-polled at most once a second, the log
 * gets a few lines a second, every discard is counted, and the daemon stays up and answers.
 */
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import snmp from "net-snmp";
import { afterAll, describe, expect, it } from "vitest";
import { freeUdpPort, haveSnmpd, type Snmpd, startSnmpd } from "../../peers/index.ts";
import {
  type DaemonChild,
  startDaemonChild,
  until,
  writeChildConfig,
} from "../../test/support/daemon-child.ts";

/** The bytes of one v2c linkDown trap, as net-snmp's own session sends them. */
async function oneTrap(community: string): Promise<Buffer> {
  const sink = createSocket("udp4");
  await new Promise<void>((r) => sink.bind(0, "127.0.0.1", r));
  const got = new Promise<Buffer>((r) => sink.once("message", (m) => r(m)));
  const session = snmp.createSession("127.0.0.1", community, {
    version: snmp.Version2c,
    trapPort: sink.address().port,
  });
  session.trap("1.3.6.1.6.3.1.1.5.3", [], () => undefined);
  const bytes = await got;
  session.close();
  sink.close();
  return bytes;
}

async function metric(url: string, name: string, label = ""): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\d+)`, "gm")))
    if (!label || m[1]?.includes(label)) sum += Number(m[2]);
  return sum;
}

describe.skipIf(!haveSnmpd)("trap storm", () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-storm-"));
  let daemon: DaemonChild | undefined;
  let agent: Snmpd | undefined;
  afterAll(async () => {
    await daemon?.stop();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("10,000 traps a second for 10 s: at most one re-poll a second, a few log lines, alive", async () => {
    agent = await startSnmpd();
    const trapPort = await freeUdpPort();
    const configFile = writeChildConfig(dir, {
      daemon: {
        traps: { enabled: true, port: trapPort },
      },
      sites: [{ id: "lab", name: { zh: "实验室", en: "Lab" } }],
      devices: [
        {
          id: "host",
          name: { zh: "主机", en: "Host" },
          site: "lab",
          system: "lab",
          kind: "duty-system",
          vendor: "net-snmp",
          model: "snmpd",
          interval: "1h",
          driver: {
            protocol: "snmp",
            profile: "generic-host",
            host: "127.0.0.1",
            port: agent.port,
            community: "public",
          },
        },
      ],
    });
    daemon = await startDaemonChild(configFile, { EMCOMM_CHILD_LOG: "info" });
    const { url } = daemon;
    const polls = () => metric(url, "emcomm_poll_duration_seconds_count", 'device="host"');
    await until("the first poll", async () => ((await polls()) >= 1 ? true : undefined), 20_000);
    const pollsBefore = await polls();
    const logBefore = daemon.stderr().split("\n").length;

    const trap = await oneTrap("public");
    const sender = createSocket("udp4");
    await new Promise<void>((r) => sender.bind(0, "127.0.0.1", r));
    const seconds = 10;
    const perTick = 1000; // every 100 ms: 10,000 a second
    const started = Date.now();
    let sent = 0;
    for (let tick = 0; tick < seconds * 10; tick++) {
      for (let i = 0; i < perTick; i++) sender.send(trap, trapPort, "127.0.0.1");
      sent += perTick;
      const next = started + (tick + 1) * 100;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    const elapsed = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500)); // the deferred re-poll and the datagrams in flight
    sender.close();

    expect(daemon.child.exitCode).toBeNull();
    const h = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(h.status).toBe(200);
    const repolls = (await polls()) - pollsBefore;
    // About one a second over the whole window the daemon had traps to handle (a loaded machine
    // drains its socket backlog after the sender stops); without the limit it would be thousands.
    // The bound leaves room for a re-poll that a stalled loop timed out being retried (once seen on
    // a loaded machine: 15 against ceil(window) + 2 = 14).
    const window = (Date.now() - started) / 1000;
    expect(repolls).toBeGreaterThanOrEqual(1);
    expect(repolls).toBeLessThanOrEqual(2 * Math.ceil(window));
    // Every datagram that arrived is a trap or a counted discard (the kernel may drop some).
    const accepted = await metric(url, "emcomm_snmp_traps_total");
    const limited = await metric(url, "emcomm_snmp_trap_discards_total", 'reason="rate_limited"');
    expect(limited).toBeGreaterThan(0);
    expect(accepted + limited).toBeLessThanOrEqual(sent);
    const lines = daemon
      .stderr()
      .split("\n")
      .slice(logBefore)
      .filter((l) => l.includes("snmp trap"));
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(elapsed / 10) * 2 + 4);
  }, 120_000);
});
