/**
 * Inspections in the duty console, in Debian's headless Chromium (playwright-core) against the demo
 * daemon on simulators (console-setup.ts): an engineer on a 320 px phone, in Chinese, creates the
 * month's inspection of a device, checks in, sees the readings the daemon filled in, marks the seven
 * items, confirms the readings and signs; the bureau's supervisor at a desk, in English,
 * countersigns. The API must then hold the record countersigned, both signatures over the digest of
 * the version signed, and refuse any edit. Skips, saying why, when /usr/bin/chromium is missing.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Demo } from "../../simulators/demo.ts";
import { checklistIds } from "../../src/records/kinds.ts";
import { CHROMIUM, FAULTY, launchChromium, startConsoleDemo, tokens } from "./console-setup.ts";

const hasChromium = existsSync(CHROMIUM);
const shots = join(new URL("../../", import.meta.url).pathname, "test-results");

let demo: Demo;
let url = "";
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

interface BrowserGlobals {
  sessionStorage: { setItem(key: string, value: string): void };
  localStorage: { setItem(key: string, value: string): void };
  document: { scrollingElement: { scrollWidth: number } };
}

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(url + path, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function open(
  viewport: { width: number; height: number },
  token: string,
  lang: "zh" | "en",
): Promise<Page> {
  const phone = viewport.width < 600;
  const ctx = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: lang === "zh" ? "zh-CN" : "en-GB",
    timezoneId: "Asia/Shanghai",
  });
  contexts.push(ctx);
  await ctx.addInitScript(
    ([tk, lg]) => {
      const g = globalThis as unknown as BrowserGlobals;
      g.sessionStorage.setItem("emcomm.token", tk!);
      g.localStorage.setItem("emcomm.lang", lg!);
    },
    [token, lang],
  );
  const page = await ctx.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return page;
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(shots, { recursive: true });
  demo = await startConsoleDemo();
  url = demo.daemon.url!;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await demo?.stop();
});

describe.skipIf(!hasChromium)(
  `inspections in headless Chromium${hasChromium ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`,
  () => {
    it("an engineer inspects on a 320 px phone (zh) and a supervisor countersigns at the desk (en)", async () => {
      const phone = await open({ width: 320, height: 640 }, tokens.engineer, "zh");
      await phone.goto(`${url}/#/inspections`);
      await phone.locator("#i-new").waitFor({ timeout: 20_000 });
      expect(await phone.locator("nav.tabs a[data-tab=inspections]").textContent()).toBe("巡检");
      await phone.selectOption("#i-device", FAULTY);
      await phone.click("#i-new button[type=submit]");
      await phone.waitForURL(/#\/i\/\d+$/, { timeout: 15_000 });
      const id = Number(/#\/i\/(\d+)$/.exec(phone.url())![1]);

      await phone.locator("#i-do-checkin").click();
      await phone.locator("#i-checkin", { hasText: "已到场" }).waitFor({ timeout: 15_000 });
      // The readings the daemon filled in are on the page, as the API holds them.
      const record = (await api(`/api/v1/records/${id}`, tokens.engineer)).body as {
        body: { readings: { metric: string }[] };
      };
      expect(record.body.readings.length).toBeGreaterThan(0);
      expect(await phone.locator("#i-readings dt").count()).toBe(record.body.readings.length);
      for (const k of checklistIds) await phone.locator(`input[name="it-${k}"][value="ok"]`).check();
      await phone.locator(`input[name="it-dust"][value="issue"]`).check();
      await phone.locator("#i-sign").click();
      // An issue without a note is refused on the page; nothing is sent.
      await phone.locator("#toast", { hasText: "有问题的项目需填写说明" }).waitFor();
      await phone.fill('input[name="note-dust"]', "风扇滤网积灰，已清理");
      await phone.locator("#i-confirm").check();
      // Nothing on the phone is wider than its screen.
      const width = await phone.evaluate(
        () => (globalThis as unknown as BrowserGlobals).document.scrollingElement.scrollWidth,
      );
      expect(width).toBeLessThanOrEqual(320);
      await phone.screenshot({ path: join(shots, "inspection-phone-320.png"), fullPage: true });
      await phone.locator("#i-sign").click();
      await phone
        .locator('.badge.state[data-state="signed"]', { hasText: "已签名" })
        .waitFor({ timeout: 15_000 });
      expect(await phone.locator("#i-save").count()).toBe(0); // signed: no more editing here

      const desk = await open({ width: 1440, height: 900 }, tokens.supervisor, "en");
      await desk.goto(`${url}/#/i/${id}`);
      await desk.locator("#i-countersign", { hasText: "Countersign" }).waitFor({ timeout: 20_000 });
      expect(await desk.locator("legend").first().textContent()).toBe(
        "Hardware, ancillaries and software working",
      );
      // Returned first: an empty reason is refused in the dialog, then the reason goes back to the phone.
      await desk.locator("#i-return").click();
      await desk.locator("#dialog button[type=submit]").click();
      await desk.locator('[data-error-for="reason"]', { hasText: "required" }).waitFor();
      await desk.fill("#dialog textarea[name=reason]", "Photo of the filter missing");
      await desk.locator("#dialog button[type=submit]").click();
      await desk
        .locator('.badge.state[data-state="returned"]', { hasText: "returned" })
        .waitFor({ timeout: 15_000 });
      await phone.reload();
      await phone
        .locator("#i-returned", { hasText: "Photo of the filter missing" })
        .waitFor({ timeout: 15_000 });
      await phone.fill('input[name="note-dust"]', "风扇滤网积灰，已清理（照片已附）");
      await phone.locator("#i-sign").click();
      await phone.locator('.badge.state[data-state="signed"]').waitFor({ timeout: 15_000 });
      await desk.reload();
      await desk.locator("#i-countersign").click();
      await desk.locator('.badge.state[data-state="countersigned"]', { hasText: "countersigned" }).waitFor({
        timeout: 15_000,
      });
      await desk.screenshot({ path: join(shots, "inspection-desk-1440.png"), fullPage: true });

      const after = (await api(`/api/v1/records/${id}`, tokens.supervisor)).body as {
        state: string;
        version: number;
        digest: string;
        body: {
          items: Record<string, { status: string; note?: string }>;
          checkin: unknown;
          readingsConfirmed: boolean;
        };
        signatures: { action: string; signer: string; role: string; version: number; digest: string }[];
      };
      expect(after.state).toBe("countersigned");
      expect(after.body.items.dust).toEqual({ status: "issue", note: "风扇滤网积灰，已清理（照片已附）" });
      expect(after.body.checkin).not.toBeNull();
      expect(after.body.readingsConfirmed).toBe(true);
      const signedFirst = after.signatures[0]!;
      expect(after.signatures.map((s) => [s.action, s.signer, s.role])).toEqual([
        ["sign", "eng-li", "engineer"],
        ["return", "sup-zhao", "supervisor"],
        ["sign", "eng-li", "engineer"],
        ["countersign", "sup-zhao", "supervisor"],
      ]);
      // The correction is a new version; the first signature stays on the version it signed.
      expect(signedFirst.version).toBeLessThan(after.version);
      expect(after.signatures.slice(2).map((s) => [s.version, s.digest])).toEqual([
        [after.version, after.digest],
        [after.version, after.digest],
      ]);
      const edit = await api(`/api/v1/records/${id}`, tokens.engineer, { method: "PUT", body: after.body });
      expect(edit.status).toBe(409);
      expect(
        ((await api(`/api/v1/records/${id}`, tokens.engineer)).body as { version: number }).version,
      ).toBe(after.version);
      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
