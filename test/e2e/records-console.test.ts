import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { checklistIds } from "../../src/records/kinds.ts";
import { browserSession, CHROMIUM, FAULTY, hasChromium, shots, tokens } from "./console-setup.ts";

const session = browserSession();

interface BrowserGlobals {
  sessionStorage: { setItem(key: string, value: string): void };
  localStorage: { setItem(key: string, value: string): void };
  document: { scrollingElement: { scrollWidth: number } };
}

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(session.url + path, {
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
  const ctx = await session.browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: lang === "zh" ? "zh-CN" : "en-GB",
    timezoneId: "Asia/Shanghai",
  });
  session.contexts.push(ctx);
  await ctx.addInitScript(
    ([tk, lg]) => {
      const g = globalThis as unknown as BrowserGlobals;
      g.sessionStorage.setItem("emcomm.token", tk!);
      g.localStorage.setItem("emcomm.lang", lg!);
    },
    [token, lang],
  );
  const page = await ctx.newPage();
  page.on("pageerror", (err) => session.pageErrors.push(err.message));
  return page;
}

/** How wide the page's content is: on a phone, nothing may be wider than its screen. */
const pageWidth = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.scrollingElement.scrollWidth);

describe.skipIf(!hasChromium)(
  `inspections in headless Chromium${hasChromium ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`,
  () => {
    it("an engineer inspects on a 320 px phone (zh) and a supervisor countersigns at the desk (en)", async () => {
      const phone = await open({ width: 320, height: 640 }, tokens.engineer, "zh");
      await phone.goto(`${session.url}/#/inspections`);
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
      expect(await pageWidth(phone)).toBeLessThanOrEqual(320);
      await phone.screenshot({ path: join(shots, "inspection-phone-320.png"), fullPage: true });
      await phone.locator("#i-sign").click();
      await phone
        .locator('.badge.state[data-state="signed"]', { hasText: "已签名" })
        .waitFor({ timeout: 15_000 });
      expect(await phone.locator("#i-save").count()).toBe(0); // signed: no more editing here

      const desk = await open({ width: 1440, height: 900 }, tokens.supervisor, "en");
      await desk.goto(`${session.url}/#/i/${id}`);
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
      expect(session.pageErrors).toEqual([]);
    }, 120_000);

    it("a plan returned with a comment, revised, resubmitted and approved; a stale page shows the API's refusal", async () => {
      const next = monthOf(Date.now(), 1);
      const phone = await open({ width: 320, height: 640 }, tokens.engineer, "zh");
      await phone.goto(`${session.url}/#/plans`);
      await phone.locator("#p-new").waitFor({ timeout: 20_000 });
      expect(await phone.locator("h1").textContent()).toBe(`巡检计划 ${next}`);
      await phone.selectOption("#p-new select[name=device]", "vehicle-modem");
      await phone.fill("#p-new input[name=date]", `${next}-05`);
      await phone.click("#p-new button[type=submit]");
      await phone.waitForURL(/#\/p\/\d+$/, { timeout: 15_000 });
      const id = Number(/#\/p\/(\d+)$/.exec(phone.url())![1]);
      await phone.locator("#p-add").click();
      const second = phone.locator("fieldset.visit").nth(1);
      await second.locator("select[name=device]").selectOption(FAULTY);
      await second.locator("input[name=date]").fill(`${next}-12`);
      await second.locator("input[name=engineers]").fill("eng-li, eng-wang");
      expect(await pageWidth(phone)).toBeLessThanOrEqual(320);
      await phone.screenshot({ path: join(shots, "plan-phone-320.png"), fullPage: true });
      await phone.locator("#p-submit").click();
      await phone
        .locator('.badge.state[data-state="submitted"]', { hasText: "已提交" })
        .waitFor({ timeout: 15_000 });
      expect(await phone.locator("#p-approve").count()).toBe(0); // the bureau's step, not offered

      const desk = await open({ width: 1440, height: 900 }, tokens.supervisor, "en");
      await desk.goto(`${session.url}/#/p/${id}`);
      await desk.locator("#p-return", { hasText: "Reject" }).click();
      await desk.fill("#dialog textarea[name=reason]", "Add the vehicle UPS");
      await desk.locator("#dialog button[type=submit]").click();
      await desk
        .locator('.badge.state[data-state="returned"]', { hasText: "returned" })
        .waitFor({ timeout: 15_000 });

      await phone.reload();
      await phone.locator("#p-returned", { hasText: "Add the vehicle UPS" }).waitFor({ timeout: 15_000 });
      await phone.locator("#p-add").click();
      const third = phone.locator("fieldset.visit").nth(2);
      await third.locator("select[name=device]").selectOption("vehicle-ups");
      // A date outside the plan's month is refused on the page; nothing is sent.
      await third.locator("input[name=date]").fill(`${monthOf(Date.now(), 2)}-01`);
      await phone.locator("#p-submit").click();
      await phone.locator("#toast", { hasText: "日期须在该月内" }).waitFor();
      await third.locator("input[name=date]").fill(`${next}-20`);
      await phone.locator("#p-submit").click();
      await phone.locator('.badge.state[data-state="submitted"]').waitFor({ timeout: 15_000 });

      // An engineer may not approve: the API refuses and nothing changes.
      const denied = await api(`/api/v1/records/${id}/approve`, tokens.engineer, {
        method: "POST",
        body: {},
      });
      expect(denied.status).toBe(403);
      const stale = await open({ width: 1440, height: 900 }, tokens.supervisor, "en");
      await stale.goto(`${session.url}/#/p/${id}`);
      await stale.locator("#p-approve").waitFor({ timeout: 20_000 });
      await desk.reload();
      await desk.locator("#p-approve", { hasText: "Approve" }).click();
      await desk
        .locator('.badge.state[data-state="approved"]', { hasText: "approved" })
        .waitFor({ timeout: 15_000 });
      expect(await desk.locator("#p-versions details").count()).toBe(3);
      await desk.screenshot({ path: join(shots, "plan-desk-1440.png"), fullPage: true });
      // The second page still offers approval: the API's refusal is shown, and nothing changes.
      await stale.locator("#p-approve").click();
      await stale.locator("#toast", { hasText: `cannot approve plan ${id}: it is approved` }).waitFor();

      const after = (await api(`/api/v1/records/${id}`, tokens.supervisor)).body as {
        state: string;
        version: number;
        body: { month: string; visits: { device: string; date: string; engineers: string[] }[] };
        versions: { version: number; actor: string }[];
        signatures: { action: string; signer: string; comment: string | null; version: number }[];
      };
      expect(after.state).toBe("approved");
      expect(after.body.month).toBe(next);
      expect(after.body.visits).toEqual([
        { device: "vehicle-modem", date: `${next}-05`, engineers: ["eng-li"] },
        { device: FAULTY, date: `${next}-12`, engineers: ["eng-li", "eng-wang"] },
        { device: "vehicle-ups", date: `${next}-20`, engineers: ["eng-li"] },
      ]);
      expect(after.versions.map((v) => [v.version, v.actor])).toEqual([
        [1, "eng-li"],
        [2, "eng-li"],
        [3, "eng-li"],
      ]);
      expect(after.signatures.map((s) => [s.action, s.signer, s.version])).toEqual([
        ["submit", "eng-li", 2],
        ["return", "sup-zhao", 2],
        ["submit", "eng-li", 3],
        ["approve", "sup-zhao", 3],
      ]);
      expect(after.signatures[1]!.comment).toBe("Add the vehicle UPS");
      expect(session.pageErrors).toEqual([]);
    }, 120_000);

    it("a supervisor registers a complaint and a written praise; the month's list shows their effect", async () => {
      const month = monthOf(Date.now(), 0);
      const sup = await open({ width: 320, height: 640 }, tokens.supervisor, "en");
      await sup.goto(`${session.url}/#/register`);
      await sup.locator("#r-form").waitFor({ timeout: 20_000 });
      expect(await sup.locator("h1").textContent()).toBe(`Register ${month}`);
      const record = async (entry: string, description: string) => {
        await sup.selectOption("#in-entry", entry);
        await sup.fill("#in-description", description);
        await sup.click("#r-form button[type=submit]");
        await sup.locator(`[data-entry="${entry}"]`, { hasText: description }).waitFor({ timeout: 15_000 });
      };
      // An empty description and an accident's deduction outside 5–10 are refused on the page.
      await sup.selectOption("#in-entry", "accident");
      await sup.fill("#in-deduction", "12");
      await sup.click("#r-form button[type=submit]");
      await sup.locator('[data-error-for="deduction"]', { hasText: "between 5 and 10" }).waitFor();
      await sup.locator('[data-error-for="description"]', { hasText: "required" }).waitFor();
      await record("complaint", "Call centre waited 40 min for the engineer");
      // Only the chosen kind's fields are on the form: no deduction for a complaint.
      expect(await sup.locator("#in-deduction").isVisible()).toBe(false);
      await record("praise", "Letter of thanks after the flood drill");
      const effect = (entry: string) => sup.locator(`[data-entry="${entry}"] .effect`);
      expect(await effect("complaint").getAttribute("data-points")).toBe("-5");
      expect(await effect("complaint").textContent()).toBe("−5 · Complaints or written praise");
      expect(await effect("praise").textContent()).toBe("+5 · Complaints or written praise");
      expect(await pageWidth(sup)).toBeLessThanOrEqual(320);
      await sup.screenshot({ path: join(shots, "register-phone-320.png"), fullPage: true });

      // The API holds both, signed by the supervisor, and the month's figures count them.
      const list = (await api(`/api/v1/records?kind=register&period=${month}`, tokens.supervisor)).body
        .records as { state: string; createdBy: string; body: { entry: string; description: string } }[];
      expect(list.map((r) => [r.body.entry, r.state, r.createdBy])).toEqual([
        ["complaint", "signed", "sup-zhao"],
        ["praise", "signed", "sup-zhao"],
      ]);
      const figures = (await api(`/api/v1/records/figures/${month}`, tokens.supervisor)).body as {
        counts: { complaints: number; writtenPraise: number; productionAccidents: unknown[] };
      };
      expect(figures.counts.complaints).toBe(1);
      expect(figures.counts.writtenPraise).toBe(1);
      expect(figures.counts.productionAccidents).toEqual([]);

      // An engineer reads the register in Chinese, has no form, and the API refuses an entry.
      const eng = await open({ width: 1440, height: 900 }, tokens.engineer, "zh");
      await eng.goto(`${session.url}/#/register/${month}`);
      await eng.locator('[data-entry="praise"] .effect', { hasText: "+5 · 客户投诉或书面表扬" }).waitFor({
        timeout: 20_000,
      });
      expect(await eng.locator("#r-form").count()).toBe(0);
      expect(await eng.locator('[data-entry="complaint"] .badge').textContent()).toBe("客户投诉");
      const refused = await api("/api/v1/records/register", tokens.engineer, {
        method: "POST",
        body: { entry: "praise", at: Date.now(), description: "self-praise" },
      });
      expect(refused.status).toBe(403);
      expect(
        (
          (await api(`/api/v1/records?kind=register&period=${month}`, tokens.supervisor)).body
            .records as unknown[]
        ).length,
      ).toBe(2);
      expect(session.pageErrors).toEqual([]);
    }, 120_000);

    it("a joint test signed on the phone and countersigned at the desk; a dissatisfied call-back", async () => {
      const month = monthOf(Date.now(), 0);
      const phone = await open({ width: 320, height: 640 }, tokens.engineer, "zh");
      await phone.goto(`${session.url}/#/activities`);
      await phone.locator("#a-form").waitFor({ timeout: 20_000 });
      await phone.selectOption("#in-a-kind", "joint-test");
      await phone.fill("#in-a-title", "全省联调 province joint test");
      await phone.fill("#in-a-systems", "vehicle-modem, 视频会议");
      await phone.click("#a-form button[type=submit]");
      const card = phone.locator('[data-kind="joint-test"]', { hasText: "全省联调 province joint test" });
      await card.waitFor({ timeout: 15_000 });
      const id = Number(await card.getAttribute("data-record"));
      // Signing asks for the outcome first.
      await card.locator("button[data-sign]").click();
      await phone.locator("#dialog button[type=submit]").click();
      await phone.locator('[data-error-for="outcome"]', { hasText: "必填" }).waitFor();
      await phone.selectOption("#dialog select[name=outcome]", "done");
      await phone.locator("#dialog button[type=submit]").click();
      await card
        .locator('.badge.state[data-state="signed"]', { hasText: "已签名" })
        .waitFor({ timeout: 15_000 });
      expect(await pageWidth(phone)).toBeLessThanOrEqual(320);
      await phone.screenshot({ path: join(shots, "activities-phone-320.png"), fullPage: true });

      const desk = await open({ width: 1440, height: 900 }, tokens.supervisor, "en");
      await desk.goto(`${session.url}/#/activities/${month}`);
      await desk
        .locator(`[data-record="${id}"] button[data-countersign]`, { hasText: "Countersign" })
        .click();
      await desk
        .locator(`[data-record="${id}"] .badge.state[data-state="countersigned"]`)
        .waitFor({ timeout: 15_000 });
      const joint = (await api(`/api/v1/records/${id}`, tokens.supervisor)).body as {
        kind: string;
        state: string;
        body: { outcome: string; systems: string[]; engineers: string[] };
        signatures: { action: string; signer: string }[];
      };
      expect(joint).toMatchObject({ kind: "joint-test", state: "countersigned" });
      expect(joint.body).toMatchObject({
        outcome: "done",
        systems: ["vehicle-modem", "视频会议"],
        engineers: ["eng-li"],
      });
      expect(joint.signatures.map((x) => [x.action, x.signer])).toEqual([
        ["sign", "eng-li"],
        ["countersign", "sup-zhao"],
      ]);

      // A consultation closed over the API, then called back from the phone: dissatisfied.
      const opened = (
        await api("/api/v1/tickets", tokens.engineer, {
          method: "POST",
          body: { level: "consult", symptom: "如何切换备用链路" },
        })
      ).body as { id?: number; ticket?: { id: number } };
      const ticket = opened.ticket?.id ?? opened.id!;
      const step = (action: string, token: string, body: unknown = {}) =>
        api(`/api/v1/tickets/${ticket}/${action}`, token, { method: "POST", body });
      expect((await step("accept", tokens.engineer)).status).toBe(200);
      const cleared = await step("clear", tokens.engineer, {
        cause: "咨询",
        handling: "电话指导",
        responsibility: "无",
      });
      expect(cleared.status).toBe(200);
      expect((await step("verify", tokens.supervisor)).status).toBe(200);
      await phone.goto(`${session.url}/#/callbacks`);
      await phone.locator("#c-form").waitFor({ timeout: 20_000 });
      await phone.selectOption("#in-c-ticket", String(ticket));
      await phone.fill("#in-c-contact", "应急局值班室");
      await phone.check('#c-form input[name=satisfied][value="no"]');
      await phone.fill("#c-form textarea[name=note]", "回复太慢");
      await phone.click("#c-form button[type=submit]");
      await phone.locator('[data-satisfied="no"]', { hasText: "回复太慢" }).waitFor({ timeout: 15_000 });
      const callbacks = (await api(`/api/v1/records?kind=callback&period=${month}`, tokens.supervisor)).body
        .records as { state: string; body: { ticket: number; satisfied: boolean; contact: string } }[];
      expect(callbacks.map((c) => [c.state, c.body.ticket, c.body.satisfied, c.body.contact])).toEqual([
        ["signed", ticket, false, "应急局值班室"],
      ]);
      const figures = (await api(`/api/v1/records/figures/${month}`, tokens.supervisor)).body as {
        counts: { dissatisfiedCallbacks: number };
      };
      expect(figures.counts.dissatisfiedCallbacks).toBe(1);
      expect(session.pageErrors).toEqual([]);
    }, 120_000);
  },
);

/** "YYYY-MM" of `ms` in the contract's zone (UTC+8), `ahead` months later. */
function monthOf(ms: number, ahead: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const index = d.getUTCFullYear() * 12 + d.getUTCMonth() + ahead;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
