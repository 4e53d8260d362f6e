/**
 * End to end: the daemon polls the simulated inventory; a real Prometheus scrapes it with the
 * shipped rules; a real Alertmanager with the shipped routes and Chinese templates notifies WeCom
 * and the SMS/voice gateway, both played by an HTTP server in this test. A `silent` fault on
 * duty-system (a major device) must reach the bureau's duty contact and the engineer on call with
 * the expected labels and Chinese text within a bounded time; clearing it must resolve it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  missingPeers,
  type Peer,
  promQuery,
  startAlertmanager,
  startPrometheus,
  titled,
  waitFor,
} from "../../peers/index.ts";
import { renderAlertmanager, renderPrometheus, urlsIn } from "../../peers/noc-stack.ts";
import { startPhones } from "../../peers/phones.ts";
import type { Demo } from "../../simulators/demo.ts";
import { startFastDemo } from "../../simulators/fast-demo.ts";

const skip = missingPeers("prometheus", "alertmanager");
/** From fault to phone: poll 1 s + scrape 1 s + `for` 2 s + evaluation 1 s + group_wait 0-1 s. */
const NOTIFY_WITHIN_MS = 20_000;

interface GatewayCall {
  to: string;
  authorization: string | undefined;
  body: {
    status: string;
    receiver: string;
    alerts: {
      status: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
  };
  at: number;
}
interface WecomCall {
  body: { touser?: string; toparty?: string; text: { content: string } };
  at: number;
}

describe.skipIf(skip)(titled("alerting end to end (Prometheus → Alertmanager → phones)", skip), () => {
  let dir: string;
  let demo: Demo;
  let prometheus: Peer;
  let alertmanager: Peer;
  let phones: Awaited<ReturnType<typeof startPhones>>;
  const gateway = (): GatewayCall[] =>
    phones.calls
      .filter((c) => c.path.startsWith("/gateway/"))
      .map((c) => ({ to: c.to, authorization: c.authorization, body: JSON.parse(c.body), at: c.at }));
  const wecom = (): WecomCall[] =>
    phones.calls
      .filter((c) => c.path === "/wecom/message/send")
      .map((c) => ({ body: JSON.parse(c.body), at: c.at }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-noc-e2e-"));
    // WeCom's API and the SMS/voice gateway, on loopback.
    phones = await startPhones();

    demo = await startFastDemo(join(dir, "demo"), ["duty-system"]);
    const am = renderAlertmanager(join(dir, "alertmanager"), phones.url);
    // The rendered config must talk to nothing but loopback.
    for (const u of urlsIn(am.config)) expect(u.startsWith("http://127.0.0.1:")).toBe(true);
    alertmanager = await startAlertmanager(am.file, join(dir, "alertmanager"));
    const promFile = renderPrometheus(join(dir, "prometheus"), {
      daemon: new URL(demo.daemon.url!).host,
      alertmanager: new URL(alertmanager.url).host,
    });
    prometheus = await startPrometheus(promFile, join(dir, "prometheus"));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await demo?.stop();
    await phones?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const dutyAlerts = (status: string, after: number) =>
    gateway().filter(
      (c) =>
        c.at >= after &&
        c.body.alerts.some(
          (a) =>
            a.status === status &&
            a.labels.alertname === "EmcommDeviceDown" &&
            a.labels.device === "duty-system",
        ),
    );

  it("rings the bureau and the engineer on call for a major device fault, and resolves it", async () => {
    // Healthy first: Prometheus sees duty-system up and no alert about it.
    await waitFor(
      "duty-system up in Prometheus",
      async () => {
        const r = await promQuery(prometheus.url, 'emcomm_device_up{device="duty-system"} == 1');
        return r.length === 1 ? true : undefined;
      },
      20_000,
    );
    const firingBefore = await promQuery(
      prometheus.url,
      'ALERTS{alertname="EmcommDeviceDown",device="duty-system"}',
    );
    expect(firingBefore).toEqual([]);

    const injectedAt = Date.now();
    expect(demo.fleet.inject("duty-system", "silent")).toBe(true);

    const fired = await waitFor(
      "the gateway to ring the bureau's duty contact",
      () => dutyAlerts("firing", injectedAt).find((c) => c.to === "bureau-duty"),
      NOTIFY_WITHIN_MS,
    );
    const notifyMs = fired.at - injectedAt;
    const alert = fired.body.alerts.find((a) => a.labels.device === "duty-system")!;
    expect(alert.labels).toMatchObject({
      alertname: "EmcommDeviceDown",
      device: "duty-system",
      site: "duty",
      kind: "duty-system",
      criticality: "major",
      level: "major",
      code: "unreachable",
    });
    // The alert carried its code from its first failed poll: no series of it without one.
    const codeless = await promQuery(
      prometheus.url,
      'ALERTS{alertname="EmcommDeviceDown",device="duty-system",code=""}[5m]',
    );
    expect(codeless).toEqual([]);
    expect(alert.annotations.summary).toBe("duty 设备 duty-system 故障 / device duty-system down");
    expect(alert.annotations.description).toMatch(/^重大故障:duty 站点的 duty-system/);
    expect([...new Set(gateway().map((c) => c.authorization))]).toEqual(["Bearer test-token"]);

    // The engineer on call today (Asia/Shanghai) is rung too, and only that engineer.
    const day = Number(new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", day: "numeric" }).format());
    const onCall = day <= 10 ? "engineer-a" : day <= 20 ? "engineer-b" : "engineer-c";
    await waitFor(
      "the engineer on call",
      () => dutyAlerts("firing", injectedAt).find((c) => c.to === onCall),
      NOTIFY_WITHIN_MS,
    );
    expect(new Set(dutyAlerts("firing", injectedAt).map((c) => c.to))).toEqual(
      new Set(["bureau-duty", onCall]),
    );

    // WeCom: the Chinese template, to the bureau's contact and to the NOC group.
    const chat = await waitFor(
      "a WeCom message to the bureau's duty contact",
      () =>
        wecom().find((m) => m.body.touser === "bureau-duty" && m.body.text.content.includes("duty-system")),
      NOTIFY_WITHIN_MS,
    );
    expect(chat.body.text.content).toContain("告警 FIRING · 值班值守系统 · EmcommDeviceDown");
    expect(chat.body.text.content).toContain("【重大故障】duty 设备 duty-system 故障");
    expect(chat.body.text.content).toContain("请在工单系统中受理");
    await waitFor(
      "a WeCom message to the NOC group",
      () => wecom().find((m) => m.body.toparty === "2" && m.body.text.content.includes("duty-system")),
      NOTIFY_WITHIN_MS,
    );

    // Recovery resolves it on the phones.
    const clearedAt = Date.now();
    demo.fleet.clear("duty-system", "silent");
    const resolved = await waitFor(
      "the resolved notification",
      () => dutyAlerts("resolved", clearedAt).find((c) => c.to === "bureau-duty"),
      NOTIFY_WITHIN_MS,
    );
    expect(resolved.body.status).toBe("resolved");
    await waitFor(
      "a WeCom recovery message",
      () =>
        wecom().find(
          (m) => m.at >= clearedAt && m.body.text.content.includes("已恢复 RESOLVED · 值班值守系统"),
        ),
      NOTIFY_WITHIN_MS,
    );
    console.info(
      `alerting e2e: fault → phone ${notifyMs} ms; recovery → resolved ${resolved.at - clearedAt} ms`,
    );
  });
});
