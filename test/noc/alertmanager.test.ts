/**
 * The shipped Alertmanager config in a real Alertmanager, fed alerts through its API: inhibition
 * (a site's lost satellite link silences that site's device alerts, not another site's), and
 * routing of a consult-level fault to the NOC group only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingPeers, type Peer, startAlertmanager, titled, waitFor } from "../../peers/index.ts";
import { renderAlertmanager } from "../../peers/noc-stack.ts";
import { startPhones } from "../../peers/phones.ts";

const skip = missingPeers("alertmanager");

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe.skipIf(skip)(titled("alertmanager routing and inhibition", skip), () => {
  let dir: string;
  let am: Peer;
  let phones: Awaited<ReturnType<typeof startPhones>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-noc-am-"));
    phones = await startPhones();
    am = await startAlertmanager(renderAlertmanager(dir, phones.url).file, dir);
  });

  afterAll(async () => {
    await am?.stop();
    await phones?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[]) => {
    const r = await fetch(`${am.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((a) => ({ ...a, startsAt: new Date().toISOString() }))),
    });
    expect(r.status).toBe(200);
  };
  const alerts = async () => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];

  it("a site's lost satellite link inhibits that site's device alerts only", async () => {
    await post([
      {
        labels: { alertname: "EmcommSatLinkLost", site: "vehicle", device: "vehicle-modem", level: "major" },
      },
      { labels: { alertname: "EmcommDeviceDown", site: "vehicle", device: "vehicle-pbx", level: "major" } },
      { labels: { alertname: "EmcommDeviceDown", site: "duty", device: "duty-system", level: "major" } },
    ]);
    const state = await waitFor(
      "inhibition to apply",
      async () => {
        const list = await alerts();
        const pbx = list.find((a) => a.labels.device === "vehicle-pbx");
        return pbx?.status.state === "suppressed" ? list : undefined;
      },
      10_000,
    );
    const by = (device: string) => state.find((a) => a.labels.device === device)!.status;
    expect(by("vehicle-pbx").inhibitedBy).toHaveLength(1);
    expect(by("vehicle-modem").state).toBe("active");
    expect(by("duty-system").state).toBe("active");
  });

  it("a consult-level fault reaches the NOC group and rings nobody", async () => {
    const before = phones.calls.length;
    await post([
      {
        labels: {
          alertname: "EmcommDeviceDown",
          site: "trunking",
          device: "trunking-handheld-3",
          level: "consult",
        },
        annotations: { summary: "trunking 设备 trunking-handheld-3 故障 / device trunking-handheld-3 down" },
      },
    ]);
    const sent = await waitFor(
      "the NOC group message",
      () =>
        phones.calls
          .slice(before)
          .find((c) => c.path.startsWith("/wecom/message/send") && c.body.includes("trunking-handheld-3")),
      10_000,
    );
    expect(JSON.parse(sent.body)).toMatchObject({ toparty: "2", msgtype: "text" });
    expect(JSON.parse(sent.body).text.content).toContain(
      "【技术咨询】trunking 设备 trunking-handheld-3 故障",
    );
    // Give the other routes the same time; none may call the gateway or a person about it.
    await new Promise((r) => setTimeout(r, 2500));
    const aboutIt = phones.calls.slice(before).filter((c) => c.body.includes("trunking-handheld-3"));
    expect(aboutIt.every((c) => c.path.startsWith("/wecom/message/send"))).toBe(true);
    expect(aboutIt.some((c) => c.body.includes('"touser"'))).toBe(false);
  });
});
