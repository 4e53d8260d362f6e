import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserSession, CHROMIUM, FAULTY, hasChromium, shots, tokens } from "./console-setup.ts";

const session = browserSession();

interface ApiClock {
  deadline: number;
  stoppedAt: number | null;
  remainingMs: number;
}
interface ApiTicket {
  id: number;
  device: string | null;
  state: string;
  restoredAt: number | null;
  clocks: Record<"respond" | "onsite" | "repair", ApiClock>;
  events: { event: string; actor: string; detail: Record<string, unknown> | null }[];
}

/** What the test touches of the page's globals (the test compiles without the DOM library). */
interface BrowserGlobals {
  sessionStorage: { setItem(key: string, value: string): void };
  noReload?: number;
  navigator: { serviceWorker: { controller: unknown } };
}

async function api(path: string, init: { token?: string; method?: string; body?: unknown } = {}) {
  const res = await fetch(session.url + path, {
    method: init.method ?? "GET",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A datetime-local value for the Asia/Shanghai day of `instant` at `hhmm` (what the page's user types). */
function shanghaiInput(instant: number, hhmm: string): string {
  const day = new Date(instant + 8 * 3600_000).toISOString().slice(0, 10);
  return `${day}T${hhmm}`;
}

const ticket = async (id: number) => (await api(`/api/v1/tickets/${id}`)).body as unknown as ApiTicket;

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function open(kind: "phone" | "desk", token?: string): Promise<Page> {
  const ctx = await session.browser.newContext({
    viewport: kind === "phone" ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    isMobile: kind === "phone",
    hasTouch: kind === "phone",
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    geolocation: { latitude: 39.90421, longitude: 116.40739, accuracy: 12 },
    permissions: ["geolocation"],
  });
  session.contexts.push(ctx);
  if (token)
    await ctx.addInitScript(
      (tk) => (globalThis as unknown as BrowserGlobals).sessionStorage.setItem("emcomm.token", tk),
      token,
    );
  const page = await ctx.newPage();
  page.on("pageerror", (err) => session.pageErrors.push(err.message));
  await page.goto(`${session.url}/`);
  await page.locator("#main h1").first().waitFor();
  return page;
}

/** The state badge of ticket `id` on the page reaches `state` (live, no reload). */
const shows = (page: Page, id: number, state: string) =>
  page
    .locator(`[data-ticket="${id}"] .badge.state[data-state="${state}"]`)
    .first()
    .waitFor({ timeout: 15_000 });

/** Waits until the element's text contains / matches `want` (what the user reads, once it is there). */
async function sees(locator: Locator, want: string | RegExp, ms = 10_000): Promise<string> {
  let text = "";
  const end = Date.now() + ms;
  while (Date.now() < end) {
    text =
      (await locator
        .first()
        .textContent({ timeout: ms })
        .catch(() => "")) ?? "";
    if (typeof want === "string" ? text.includes(want) : want.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${String(want)} in ${locator.toString()}, saw ${JSON.stringify(text)}`);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

describe.skipIf(!hasChromium)(
  `duty console in headless Chromium${hasChromium ? "" : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`,
  () => {
    it("serves a small page with a strict content policy", async () => {
      const res = await fetch(`${session.url}/`, { headers: { "accept-encoding": "gzip" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      // The first load: what index.html links (style, module preloads, app.js); the maintenance
      // records' views come later, when opened.
      const page = await (await fetch(`${session.url}/`)).text();
      const linked = [...page.matchAll(/(?:href|src)="\/console\/([\w-]+\.(?:js|css))"/g)].map((m) => m[1]!);
      expect(linked).toContain("app.js");
      expect(linked).toContain("tickets.js");
      let total = 0;
      for (const f of linked) {
        const r = await fetch(`${session.url}/console/${f}`, { headers: { "accept-encoding": "gzip" } });
        expect(r.status, f).toBe(200);
        total += Number(r.headers.get("content-length") ?? (await r.arrayBuffer()).byteLength);
      }
      // The first load travels in under 40 kB compressed: fine on a weak mobile link.
      expect(total).toBeLessThan(40_000);
      expect((await fetch(`${session.url}/console/..%2Fpackage.json`)).status).toBe(404);
    });

    it("without a token it shows tickets but can change nothing", async () => {
      const page = await open("phone");
      await sees(page.locator("#banner"), "未登录");
      expect(await page.locator("button[data-act]").count()).toBe(0);
      const before = ((await api("/api/v1/tickets")).body.tickets as unknown[]).length;
      await page.goto(`${session.url}/#/new`);
      await page.fill("#in-symptom", "电话报障：调度台黑屏");
      await page.click("#manual-form button[type=submit]");
      await sees(page.locator("#manual-form .form-error"), "请先登录");
      // Even a hand-made request from the page is refused by the API.
      const status = await page.evaluate(async () => {
        const r = await fetch("/api/v1/tickets", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ level: "general", symptom: "x" }),
        });
        return r.status;
      });
      expect(status).toBe(401);
      expect(((await api("/api/v1/tickets")).body.tickets as unknown[]).length).toBe(before);
    });

    it("a fault becomes a ticket live; engineer accepts, arrives, clears; supervisor rejects, then verifies", async () => {
      // The engineer signs in on the phone through the page.
      const phone = await open("phone");
      await phone.click("#who");
      await phone.fill("#in-token", "not-a-token");
      await phone.click("#dialog-form button[type=submit]");
      await sees(phone.locator('[data-error-for="token"]'), "令牌无效");
      await phone.fill("#in-token", tokens.engineer);
      await phone.click("#dialog-form button[type=submit]");
      await phone.locator('#who[data-role="engineer"]').waitFor();
      await phone.evaluate(() => {
        (globalThis as unknown as BrowserGlobals).noReload = 1;
      });

      expect(session.demo.fleet.inject(FAULTY, "silent")).toBe(true);
      const id = await until("the ticket of the injected fault", async () => {
        const list = (await api(`/api/v1/tickets?state=open&device=${FAULTY}`)).body.tickets as ApiTicket[];
        return list[0]?.id;
      });
      const card = phone.locator(`#ticket-list [data-ticket="${id}"]`);
      await card.waitFor({ timeout: 15_000 });
      expect(await phone.evaluate(() => (globalThis as unknown as BrowserGlobals).noReload)).toBe(1);

      // The clocks on the page are the API's: same deadlines, same time left (±3 s).
      const t0 = await ticket(id);
      for (const c of ["respond", "onsite", "repair"] as const) {
        const el = card.locator(`.clock[data-clock="${c}"]`);
        expect(Number(await el.getAttribute("data-deadline"))).toBe(t0.clocks[c].deadline);
        const left = Number(await el.getAttribute("data-left"));
        expect(Math.abs(left - (t0.clocks[c].deadline - Date.now()) / 1000)).toBeLessThan(3);
        await expect(el.getAttribute("class")).resolves.toContain("ok");
      }
      await shot(phone, "phone-tickets");

      // A second engineer's page, without live updates, still shows "accept".
      const stale = await open("desk", tokens.engineer2);
      await stale.route("**/api/v1/events", (r) => r.abort());
      await stale.reload();
      const staleAccept = stale.locator(`[data-ticket="${id}"] button[data-act="accept"]`);
      await staleAccept.waitFor();
      await shot(stale, "desk-tickets");

      await card.locator('button[data-act="accept"]').click();
      await shows(phone, id, "accepted");
      await staleAccept.click();
      await sees(stale.locator("#toast"), /他人已先处理.*已响应/);
      expect((await ticket(id)).events.filter((e) => e.event === "accepted")).toHaveLength(1);

      // Arrival records the phone's position in the audit trail.
      await phone.locator(`[data-ticket="${id}"] button[data-act="arrive"]`).click();
      await shows(phone, id, "onsite");
      const arrived = (await ticket(id)).events.find((e) => e.event === "arrived");
      expect(arrived?.detail?.note).toMatch(/^GPS 39\.9042\d, 116\.4073\d ±12 m$/);

      // A comment: an empty one is refused, a real one lands in the audit trail.
      await phone.locator(`[data-ticket="${id}"] button[data-act="comment"]`).click();
      await phone.click("#dialog-form button[type=submit]");
      await sees(phone.locator('[data-error-for="note"]'), "必填");
      await phone.fill("#in-note", "已到机房，调度台网口无灯");
      await phone.click("#dialog-form button[type=submit]");
      await until("the comment", async () => (await ticket(id)).events.some((e) => e.event === "commented"));

      // The device comes back; the measured restoration is on the ticket.
      session.demo.fleet.clear(FAULTY);
      await until("the measured restoration", async () => (await ticket(id)).restoredAt);

      // Ticket page; clearing with an empty cause is refused on the page and changes nothing.
      await phone.click(`[data-ticket="${id}"] a.card-title`);
      await phone.locator("#ticket-detail").waitFor();
      // The fault record is edited in place: emptying a field is refused, a change is saved (audited).
      await phone.locator(`#ticket-detail button[data-act="edit"]`).click();
      await phone.fill("#in-symptom", "");
      await phone.click("#dialog-form button[type=submit]");
      await sees(phone.locator('[data-error-for="symptom"]'), "不能清空");
      await phone.click("#dialog-form [data-cancel]");
      await phone.locator(`#ticket-detail button[data-act="edit"]`).click();
      await phone.fill("#in-faultType", "调度台网络中断");
      await phone.click("#dialog-form button[type=submit]");
      await until("the edited record", async () =>
        (await ticket(id)).events.some((e) => e.event === "updated"),
      );
      expect((await api(`/api/v1/tickets/${id}`)).body.faultType).toBe("调度台网络中断");

      await phone.click('#ticket-detail button[data-act="clear"]');
      await phone.fill("#in-handling", "重启调度台网卡");
      await phone.click("#dialog-form button[type=submit]");
      await sees(phone.locator('[data-error-for="cause"]'), "必填");
      await expect(phone.locator("#in-cause").getAttribute("aria-invalid")).resolves.toBe("true");
      await shot(phone, "phone-clear-refused");
      expect((await ticket(id)).state).toBe("onsite");
      await phone.fill("#in-cause", "网卡驱动异常导致调度台离线");
      await phone.fill("#in-responsibility", "设备故障，非人为");
      await phone.fill("#in-lessons", "巡检增加网卡状态检查");
      await phone.click("#dialog-form button[type=submit]");
      await shows(phone, id, "cleared");
      const cleared = await ticket(id);
      expect(cleared).toMatchObject({ state: "cleared", cause: "网卡驱动异常导致调度台离线" });

      // The engineer is not offered verify, and the API refuses it.
      expect(await phone.locator('button[data-act="verify"]').count()).toBe(0);
      const refused = await api(`/api/v1/tickets/${id}/verify`, {
        token: tokens.engineer,
        method: "POST",
        body: {},
      });
      expect(refused.status).toBe(403);
      expect((await ticket(id)).state).toBe("cleared");

      // The supervisor, at the desk, rejects: an empty reason is refused first.
      const desk = await open("desk", tokens.supervisor);
      await desk.goto(`${session.url}/#/t/${id}`);
      await desk.locator(`[data-side="${id}"].current`).waitFor();
      await shot(desk, "desk-ticket-split");
      await desk.locator('#ticket-detail button[data-act="reject"]').click();
      await desk.click("#dialog-form button[type=submit]");
      await sees(desk.locator('[data-error-for="note"]'), "必填");
      expect((await ticket(id)).state).toBe("cleared");
      await desk.fill("#in-note", "调度台语音仍有断续，未恢复");
      await desk.click("#dialog-form button[type=submit]");
      await shows(desk, id, "onsite");
      await shows(phone, id, "onsite");

      // The engineer clears again; the supervisor's page offers verify without a reload.
      await phone.click('#ticket-detail button[data-act="clear"]');
      await phone.fill("#in-cause", "网卡驱动异常；语音板接触不良");
      await phone.fill("#in-handling", "更换语音板并重启");
      await phone.fill("#in-responsibility", "设备故障，非人为");
      await phone.click("#dialog-form button[type=submit]");
      await shows(phone, id, "cleared");
      await desk.locator('#ticket-detail button[data-act="verify"]').click();
      await shows(desk, id, "closed");
      await shows(phone, id, "closed");

      // The history on the page is the API's audit trail, in order; the measured states are shown.
      const final = await ticket(id);
      expect(final.state).toBe("closed");
      await until("the page's history to catch up", async () =>
        (await desk.locator("#history li").count()) === final.events.length ? true : undefined,
      );
      const shown = await desk
        .locator("#history li")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-event")));
      expect(shown).toEqual(final.events.map((e) => e.event));
      expect(shown).toEqual(
        expect.arrayContaining(["opened", "accepted", "arrived", "cleared", "rejected", "verified"]),
      );
      const measured = await desk.locator("#measured .st").evaluateAll((els) => els.map((e) => e.className));
      expect(measured.some((c) => c.includes("down"))).toBe(true);
      expect(measured.some((c) => c.includes("up"))).toBe(true);
      for (const c of ["respond", "onsite", "repair"] as const)
        expect(
          Number(await desk.locator(`#ticket-detail .clock[data-clock="${c}"]`).getAttribute("data-stopped")),
        ).toBe(final.clocks[c].stoppedAt);
      await shot(desk, "desk-ticket");
      await shot(phone, "phone-ticket");
      // Closed tickets are one filter away.
      await phone.goto(`${session.url}/#/`);
      await phone.selectOption("#f-state", "closed");
      await shows(phone, id, "closed");
      await phone.selectOption("#f-state", "");
    }, 90_000);

    it("refuses a window that ends before it starts and a report without a symptom, changing nothing", async () => {
      const page = await open("desk", tokens.engineer);
      const windowsBefore = ((await api("/api/v1/maintenance")).body.windows as unknown[]).length;
      await page.goto(`${session.url}/#/windows`);
      await page.locator("#window-form").waitFor();
      await page.selectOption("#in-sites", "trunking");
      // Tomorrow on the console's wall (Asia/Shanghai), whatever today is: the window is in the future,
      // so it can be approved and cancelled.
      const tomorrow = Date.now() + 24 * 3600_000;
      await page.fill("#in-startsAt", shanghaiInput(tomorrow, "10:00"));
      await page.fill("#in-endsAt", shanghaiInput(tomorrow, "09:00"));
      await page.fill("#in-why", "基站天馈检修");
      await page.click("#window-form button[type=submit]");
      await sees(page.locator('[data-error-for="endsAt"]'), "结束时间必须晚于开始时间");
      await shot(page, "desk-window-refused");
      expect(((await api("/api/v1/maintenance")).body.windows as unknown[]).length).toBe(windowsBefore);
      // The API refuses it too, whoever asks.
      const direct = await api("/api/v1/maintenance", {
        token: tokens.engineer,
        method: "POST",
        body: {
          sites: ["trunking"],
          startsAt: Date.now() + 7200_000,
          endsAt: Date.now() + 3600_000,
          why: "x",
        },
      });
      expect(direct.status).toBe(400);

      // A valid window goes through and appears in the list.
      await page.fill("#in-endsAt", shanghaiInput(tomorrow, "12:00"));
      await page.click("#window-form button[type=submit]");
      await page.locator("#window-list [data-window]").first().waitFor();
      expect(((await api("/api/v1/maintenance")).body.windows as unknown[]).length).toBe(windowsBefore + 1);

      // Approval is the supervisor's: the engineer's token is refused, the supervisor's page approves.
      const created = (await api("/api/v1/maintenance")).body.windows as { id: number; status: string }[];
      const win = created[created.length - 1]!;
      const denied = await api(`/api/v1/maintenance/${win.id}/approve`, {
        token: tokens.engineer,
        method: "POST",
        body: {},
      });
      expect(denied.status).toBe(403);
      expect(await page.locator(`[data-approve="${win.id}"]`).count()).toBe(0);
      const sup = await open("desk", tokens.supervisor);
      await sup.goto(`${session.url}/#/windows`);
      await sup.locator(`[data-approve="${win.id}"]`).click();
      await sup.locator(`[data-window="${win.id}"] [data-status="approved"]`).waitFor();
      expect(
        ((await api("/api/v1/maintenance")).body.windows as { id: number; status: string }[]).find(
          (w) => w.id === win.id,
        )?.status,
      ).toBe("approved");

      // The engineer who requested it may cancel it again.
      await page.goto(`${session.url}/#/windows`);
      await page.locator(`[data-cancel-window="${win.id}"]`).click();
      await page.locator(`[data-window="${win.id}"] [data-status="cancelled"]`).waitFor();

      const ticketsBefore = ((await api("/api/v1/tickets")).body.tickets as unknown[]).length;
      await page.goto(`${session.url}/#/new`);
      await page.locator("#manual-form").waitFor();
      await page.click("#manual-form button[type=submit]");
      await sees(page.locator('[data-error-for="symptom"]'), "必填");
      expect(((await api("/api/v1/tickets")).body.tickets as unknown[]).length).toBe(ticketsBefore);

      // A phone report by hand goes through and opens its ticket page.
      await page.selectOption("#in-device", "mine-vc");
      await page.selectOption("#in-level", "major");
      await page.fill("#in-symptom", "电话报障：矿山救援指挥中心视频会议无图像");
      await page.click("#manual-form button[type=submit]");
      await page.locator("#ticket-detail").waitFor();
      const list = (await api("/api/v1/tickets?device=mine-vc")).body.tickets as {
        id: number;
        level: string;
        source: string;
      }[];
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ level: "major", source: "manual" });
      expect(await page.locator("#ticket-detail").getAttribute("data-ticket")).toBe(String(list[0]!.id));
    }, 30_000);

    it("offline, shows the last known state with its age, even after a reload", async () => {
      const opened = await api("/api/v1/tickets", {
        token: tokens.engineer,
        method: "POST",
        body: { level: "consult", symptom: "电话咨询：指挥车卫星终端如何切换备用星" },
      });
      expect(opened.status).toBe(201);
      const page = await open("phone", tokens.viewer);
      await page.locator("#ticket-list").waitFor();
      // The service worker has the page's files once it controls the page.
      const controlled = () =>
        page.waitForFunction(
          () => (globalThis as unknown as BrowserGlobals).navigator.serviceWorker.controller !== null,
          undefined,
          { timeout: 10_000 },
        );
      await controlled().catch(async () => {
        await page.reload();
        await controlled();
      });
      const cards = await page.locator("#ticket-list .card").count();
      expect(cards).toBeGreaterThan(0);
      await page.context().setOffline(true);
      await page.reload();
      await sees(page.locator("#banner"), /离线 — 数据时间/);
      await sees(page.locator("#live"), "离线");
      expect(await page.locator("#ticket-list .card").count()).toBe(cards);
      await shot(page, "phone-offline");
      await page.context().setOffline(false);
      await sees(page.locator("#live"), "实时", 15_000);
    });

    it("a running clock turns amber before its deadline and red after, live", async () => {
      // The page first, so the ticket arrives live and is on screen well before its amber 2 s.
      const page = await open("phone", tokens.viewer);
      const created = await api("/api/v1/tickets", {
        token: tokens.engineer,
        method: "POST",
        body: { level: "consult", symptom: "电话咨询：Ka便携站开机流程" },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as number;
      const clock = page.locator(`[data-ticket="${id}"] .clock[data-clock="respond"]`);
      const classOf = async () => (await clock.getAttribute("class")) ?? "";
      await until("amber", async () => (await classOf()).includes("warn"), 10_000);
      await shot(page, "phone-clock-amber");
      await until("red", async () => (await classOf()).includes("breach"), 10_000);
      await sees(clock, "超时");
      await shot(page, "phone-clock-red");
      const t = await ticket(id);
      expect(t.clocks.respond.deadline).toBeLessThan(Date.now());
      // Breached and open: it sorts among the first, before every ticket still in time (re-sorted live).
      await until(
        "the list re-sorted",
        async () => (await page.locator("#ticket-list .card").first().locator(".clock.breach").count()) > 0,
      );
      const breached = await page
        .locator("#ticket-list .card")
        .evaluateAll((cards) => cards.map((c) => c.querySelector(".clock.breach") !== null));
      expect(breached[0]).toBe(true);
      expect(breached).toEqual([...breached].sort((a, b) => Number(b) - Number(a)));
      // Filters: by level, then by state.
      await page.selectOption("#f-level", "general");
      await until(
        "the level filter",
        async () => (await page.locator(`[data-ticket="${id}"]`).count()) === 0,
      );
      await page.selectOption("#f-level", "consult");
      await page.locator(`#ticket-list [data-ticket="${id}"]`).waitFor();
      await page.selectOption("#f-state", "accepted");
      await until(
        "the state filter",
        async () => (await page.locator(`[data-ticket="${id}"]`).count()) === 0,
      );
      await page.selectOption("#f-state", "");
      await page.selectOption("#f-level", "");
    });

    it("orders worst first: breached, then level, then least time left", async () => {
      const page = await open("desk");
      // A string, so that the test runner does not rewrite the browser's import().
      const order = (await page.evaluate(`(async () => {
        const m = await import("/console/model.js");
        const now = 1000000000;
        const tk = (id, level, respondLeft, stopped = false) =>
          m.normTicket({
            id,
            level,
            state: "opened",
            reportedAt: now - 60000,
            clocks: { respond: { startedAt: now - 60000, deadline: now + respondLeft, stoppedAt: stopped ? now - 1 : null } },
          });
        const list = [tk(1, "consult", 500000), tk(2, "major", 400000), tk(3, "general", -5000), tk(4, "major", 100000), tk(5, "major", 1000, true)];
        return m.worstFirst(list, now).map((t) => t.id);
      })()`)) as number[];
      // Colours of a 10-minute clock: ok, amber in its last quarter, red once breached, grey when met.
      const classes = await page.evaluate(`(async () => {
        const m = await import("/console/model.js");
        const k = (left, stopped = null) => ({ deadline: 1000000 + left, stoppedAt: stopped, total: 600000 });
        return [k(200000), k(150000), k(-1), k(100000, 1000000), k(-1000, 1000000)].map((c) => m.clockClass(c, 1000000, 0.25));
      })()`);
      expect(classes).toEqual(["ok", "warn", "breach", "done", "breach"]);
      // #3 is breached; then the majors by time left (#5's clock stopped: nothing running, last of them).
      expect(order).toEqual([3, 4, 2, 5, 1]);
    });

    it("reports: month-to-date figures against their targets, downloads only when the export exists", async () => {
      const page = await open("desk", tokens.supervisor);
      await page.goto(`${session.url}/#/reports`);
      await page.locator("#m-availability").waitFor();
      await sees(page.locator("#m-availability strong"), /\d+\.\d\d %/);
      await sees(page.locator("#m-timeliness strong"), /\d+\.\d\d %/);
      const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      const hasExport = (await fetch(`${session.url}/api/v1/reports/${month}.json?live=1`)).ok;
      expect(await page.locator('.links a[href*="/api/v1/reports/"]').count()).toBe(hasExport ? 3 : 0);
      await shot(page, "desk-reports");

      // With the scoring export present (its JSON stubbed here: that export is another module), the
      // page shows its figures and offers its downloads.
      const sheet = {
        schema: "emcomm.score-sheet/1",
        totals: { performance: 88, service: 100 },
        timeliness: { onTime: 9, late: 1, pending: 0, percent: 90, due: 10 },
        availability: { contract: { percent: 99.5 }, sites: [{ id: "trunking", percent: 98.25 }] },
        frozen: null,
      };
      const withExport = await open("desk", tokens.supervisor);
      await withExport.route("**/api/v1/reports/*.json*", (r) =>
        r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(sheet) }),
      );
      await withExport.goto(`${session.url}/#/reports`);
      await sees(withExport.locator("#m-availability strong"), "99.50 %");
      await sees(withExport.locator("#m-timeliness strong"), "90.00 %");
      await sees(withExport.locator("#m-score strong"), "88 · 100");
      expect(await withExport.locator('#m-timeliness[class*="breach"]').count()).toBe(1);
      expect(await withExport.locator('.links a[href*="/api/v1/reports/"]').count()).toBe(3);
    });

    it("declares the command vehicle deployed from the device page (engineer), not as a viewer", async () => {
      const viewer = await open("phone", tokens.viewer);
      await viewer.goto(`${session.url}/#/devices`);
      await viewer.locator('[data-calendar="vehicle"]').waitFor();
      expect(await viewer.locator("button[data-declare]").count()).toBe(0);
      const page = await open("phone", tokens.engineer);
      await page.goto(`${session.url}/#/devices`);
      await page.locator('[data-calendar="vehicle"] [data-in-service="false"]').waitFor();
      await page.click('button[data-declare="deploy"][data-site="vehicle"]');
      await page.fill("#in-note", "指挥车出动，保障演练");
      await page.click("#dialog-form button[type=submit]");
      await page.locator('[data-calendar="vehicle"] [data-in-service="true"]').waitFor();
      const sites = (await api("/api/v1/sites")).body.sites as { site: string; inService: boolean }[];
      expect(sites.find((x) => x.site === "vehicle")?.inService).toBe(true);
      await shot(page, "phone-devices");
    });

    it("no view pushes a 320 px phone sideways, in either language", async () => {
      const page = await open("phone", tokens.engineer);
      await page.setViewportSize({ width: 320, height: 640 });
      const first = await page.locator("#ticket-list .card").first().getAttribute("data-ticket");
      const routes = [
        "#/",
        "#/devices",
        "#/new",
        "#/windows",
        "#/reports",
        ...(first ? [`#/t/${first}`] : []),
      ];
      for (const lang of ["zh", "en"]) {
        for (const r of routes) {
          await page.goto(`${session.url}/${r}`);
          await page.locator("#main h1").first().waitFor();
          await page.waitForTimeout(150);
          expect(
            await page.evaluate("document.documentElement.scrollWidth"),
            `${lang} ${r}`,
          ).toBeLessThanOrEqual(320);
        }
        await page.click("#lang");
      }
    });

    it("switches to English and shows device states by site", async () => {
      const page = await open("desk");
      await page.click("#lang");
      await page.goto(`${session.url}/#/devices`);
      await page.locator(".site").first().waitFor();
      await sees(page.locator("#main h1"), "Device states");
      expect(await page.locator(`[data-device="${FAULTY}"]`).count()).toBe(1);
      await shot(page, "desk-devices-en");
      expect(session.pageErrors).toEqual([]);
    });
  },
);
