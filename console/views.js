// The views: open tickets worst first, one ticket with its history and measured device state,
// devices by site, and the reports. Each returns { html, mount(main) }; forms are in forms.js.

import { bindActions } from "./actions.js";
import { serverNow } from "./api.js";
import { load, render, state } from "./app.js";
import { clockText, html, ms, when } from "./dom.js";
import { declareSite, manualForm, windowsForm } from "./forms.js";
import { name, t } from "./i18n.js";
import { actionsFor, clockClass, clockNames, levels, normTicket, states, worstFirst } from "./model.js";
import { paths } from "./paths.js";

const FILTERS = "emcomm.filters";
let warnFraction = 0.25;

/**
 * Devices and sites, by id, for names: read once per page load (the inventory changes only with a
 * daemon restart; ~20 kB is too much to re-read on every live update over a weak link).
 */
let inventoryOnce = null;
function inventory() {
  inventoryOnce ??= loadInventory().catch((err) => {
    inventoryOnce = null;
    throw err;
  });
  return inventoryOnce;
}

async function loadInventory() {
  const meta = await load(paths.meta);
  const devices = new Map();
  const sites = new Map();
  for (const s of meta?.sites ?? []) sites.set(s.id, s.name ?? s.id);
  for (const d of meta?.devices ?? []) {
    devices.set(d.id, d);
    if (!sites.has(d.site)) sites.set(d.site, d.site);
  }
  if (typeof meta?.warnRemaining === "number") warnFraction = meta.warnRemaining;
  return { devices, sites };
}

/** One countdown: the ticker updates its text and class every second from the data attributes. */
function clockCell(ticket, c) {
  const k = ticket.clocks[c];
  if (!k) return html`<div class="clock done"><b>${t(`clock_${c}`)}</b><span>—</span></div>`;
  return html`<div class="clock" data-clock="${c}" data-deadline="${k.deadline}" data-stopped="${k.stoppedAt ?? ""}"
    data-total="${k.total ?? ""}"><b>${t(`clock_${c}`)}</b><span></span></div>`;
}

function badges(tk) {
  return html`<span class="badge ${tk.level}">${t(`level_${tk.level}`)}</span>
    <span class="badge state" data-state="${tk.state}">${t(`state_${tk.state}`)}</span>
    ${tk.repeatOf ? html`<span class="badge repeat">${t("repeatOf")} #${tk.repeatOf}</span>` : ""}
    <span class="muted">#${tk.id}</span>`;
}

function deviceLabel(tk, inv) {
  const d = tk.device ? inv.devices.get(tk.device) : null;
  return d ? name(d.name) : (tk.device ?? tk.symptom);
}

/** The ticket's actions; in the list only the flow's steps and comment (editing is on its page). */
function actionButtons(tk, inList = false) {
  const list = actionsFor(tk, state.me?.role ?? null).filter((a) => !(inList && a === "edit"));
  if (list.length === 0) return "";
  return html`<div class="actions">${list.map(
    (a) =>
      html`<button type="button" class="${a === "reject" ? "danger" : a === "comment" || a === "edit" ? "" : "primary"}"
        data-act="${a}" data-id="${tk.id}" data-state="${tk.state}" data-restored="${tk.restoredAt ?? ""}">${t(a)}</button>`,
  )}</div>`;
}

function card(tk, inv) {
  return html`<article class="card ${tk.level}" data-ticket="${tk.id}">
    <div class="card-head">${badges(tk)}</div>
    <a class="card-title" href="#/t/${tk.id}">${deviceLabel(tk, inv)}</a>
    <div class="muted">${name(inv.sites.get(tk.site)) || tk.site || "—"} · ${t("reportedAt")} ${when(tk.reportedAt)}</div>
    <div class="clocks">${clockNames.map((c) => clockCell(tk, c))}</div>
    ${actionButtons(tk, true)}
  </article>`;
}

function select(id, label, value, options) {
  return html`<label for="${id}">${label}<select id="${id}">
    <option value="">${t("all")}</option>
    ${options.map(([v, text]) => html`<option value="${v}" ${v === value ? "selected" : ""}>${text}</option>`)}
  </select></label>`;
}

async function ticketsView() {
  const [body, inv] = await Promise.all([load(paths.openTickets), inventory()]);
  const f = JSON.parse(localStorage.getItem(FILTERS) ?? "{}");
  const all = worstFirst((body?.tickets ?? []).map(normTicket), serverNow());
  const shown = all.filter(
    (tk) =>
      (!f.site || tk.site === f.site) &&
      (!f.level || tk.level === f.level) &&
      (!f.state || tk.state === f.state),
  );
  const siteOptions = [...inv.sites].map(([id, n]) => [id, name(n) || id]);
  return {
    html: html`<h1>${t("tickets")} <span class="muted">(${shown.length}/${all.length} ${t("open")})</span></h1>
      <div class="filters">
        ${select("f-site", t("site"), f.site, siteOptions)}
        ${select(
          "f-level",
          t("level"),
          f.level,
          levels.map((l) => [l, t(`level_${l}`)]),
        )}
        ${select(
          "f-state",
          t("state"),
          f.state,
          states.slice(0, 4).map((s) => [s, t(`state_${s}`)]),
        )}
      </div>
      <section class="cards" id="ticket-list">${
        shown.length ? shown.map((tk) => card(tk, inv)) : html`<p class="muted">${t("noTickets")}</p>`
      }</section>`,
    mount(main) {
      for (const key of ["site", "level", "state"])
        main.querySelector(`#f-${key}`).addEventListener("change", (e) => {
          const next = { ...f, [key]: e.target.value };
          localStorage.setItem(FILTERS, JSON.stringify(next));
          import("./app.js").then((m) => m.render());
        });
      bindActions(main);
    },
  };
}

const eventWords = {
  zh: {
    opened: "开单",
    accepted: "接单",
    arrived: "到场",
    cleared: "销障",
    verified: "验证结单",
    rejected: "退回",
    commented: "备注",
    updated: "修改记录",
    restored: "实测恢复",
    recurred: "再次发生",
    flapping: "频繁抖动",
    breached: "超时",
    warned: "即将超时",
  },
};

function eventText(e) {
  const lang = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
  return (lang === "zh" ? eventWords.zh[e.event] : null) ?? e.event;
}

function detailText(e) {
  const d = e.detail ?? {};
  const parts = [];
  if (d.note) parts.push(d.note);
  if (d.clock) parts.push(`${t(`clock_${d.clock}`)} ${t(e.event === "warned" ? "warned" : "breached")}`);
  if (d.position) {
    const p = d.position;
    parts.push(
      `${t("position")} ${Number(p.lat).toFixed(5)}, ${Number(p.lon).toFixed(5)} ±${Math.round(p.accuracy ?? 0)} m`,
    );
  }
  if (d.restoredAt) parts.push(`${t("restoredAt")} ${when(d.restoredAt)}`);
  return parts.join(" · ");
}

async function ticketView(id) {
  const [body, inv] = await Promise.all([load(paths.ticket(id)), inventory()]);
  const raw = body?.ticket ?? body;
  const tk = normTicket(raw);
  state.focusDevice = tk.device;
  const events = body?.events ?? [];
  let transitions = [];
  if (tk.device) {
    try {
      const since = (tk.faultStart ?? tk.reportedAt ?? serverNow()) - 3600_000;
      const m = await load(paths.transitions(tk.device, since));
      transitions = m?.transitions ?? [];
    } catch {
      transitions = [];
    }
  }
  const record = [
    ["symptom", tk.symptom],
    ["faultType", tk.faultType],
    ["faultStart", when(tk.faultStart)],
    ["reportedAt", when(tk.reportedAt)],
    ["restoredAt", tk.restoredAt ? when(tk.restoredAt) : null],
    ["repairedAt", tk.repairedAt ? when(tk.repairedAt) : null],
    ["cause", tk.cause],
    ["handling", tk.handling],
    ["responsibility", tk.responsibility],
    ["lessons", tk.lessons],
    ["handler", tk.handler],
    ["openedBy", tk.openedBy],
    ["source", tk.source ? t(`source_${tk.source}`) : null],
    ["rejections", tk.rejections || null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  let live = null;
  if (tk.device) live = await load(paths.deviceState(tk.device)).catch(() => null);
  // On a desk monitor the open tickets stay in view beside the one being worked.
  let aside = null;
  if (wide()) {
    const open = await load(paths.openTickets).catch(() => null);
    const list = worstFirst((open?.tickets ?? []).map(normTicket), serverNow());
    aside = html`<aside class="side-list" aria-label="${t("tickets")}">${list.length ? "" : html`<p class="muted">${t("noTickets")}</p>`}${list.map(
      (
        o,
      ) => html`<a class="side-item ${o.level}${String(o.id) === String(id) ? " current" : ""}" href="#/t/${o.id}"
        data-side="${o.id}"><span class="badge ${o.level}">${t(`level_${o.level}`)}</span>
        <b>${deviceLabel(o, inv)}</b><span class="muted">${t(`state_${o.state}`)} · #${o.id}</span>
        <span class="clocks">${clockNames.map((c) => clockCell(o, c))}</span></a>`,
    )}</aside>`;
  }
  const detail = html`<p><a href="#/" class="button">← ${t("back")}</a></p>
      <article class="card ${tk.level}" data-ticket="${tk.id}" id="ticket-detail">
        <div class="card-head">${badges(tk)}</div>
        <h1 class="card-title">${deviceLabel(tk, inv)}</h1>
        <div class="muted">${name(inv.sites.get(tk.site)) || tk.site || "—"}</div>
        <div class="clocks">${clockNames.map((c) => clockCell(tk, c))}</div>
        ${actionButtons(tk)}
      </article>
      <div class="detail">
        <section><h2>${t("symptom")}</h2><dl class="kv">${record.map(
          ([k, v]) => html`<dt>${t(k)}</dt><dd data-field="${k}">${v}</dd>`,
        )}</dl></section>
        <section><h2>${t("history")}</h2><ol class="history" id="history">${events.map(
          (e) => html`<li data-event="${e.event}"><time>${when(e.at)}</time><b>${eventText(e)}</b>
            <span class="muted">${e.actor ?? ""}</span> ${detailText(e)}</li>`,
        )}</ol>
        <h2>${t("measured")}</h2>
        ${
          live
            ? html`<p id="measured-now">${t("latest")}: <span class="st ${live.state ?? "unknown"}">${t(`st_${live.state ?? "unknown"}`)}</span>
          ${live.since ? html`${t("since")} ${when(live.since)}` : ""} <span class="muted">${live.cause ?? ""}</span></p>`
            : ""
        }
        <ul class="timeline" id="measured">${(transitions ?? []).map(
          (x) => html`<li><time>${when(x.at)}</time><span class="st ${x.state}">${t(`st_${x.state}`)}</span>
            <span class="muted">${x.cause ?? ""}</span></li>`,
        )}</ul></section>
      </div>`;
  return {
    html: aside ? html`<div class="split">${aside}<div>${detail}</div></div>` : detail,
    mount(main) {
      bindActions(main);
    },
  };
}

/** A desk monitor: wide enough for the list beside a ticket. */
export const wide = () => matchMedia("(min-width: 1200px)").matches;

function stateOf(d, health) {
  const h = health.get(d.id);
  if (h?.state) return { state: h.state, since: ms(h.since), cause: h.cause };
  return { state: "unknown", since: null };
}

async function devicesView() {
  const inv = await inventory();
  const health = new Map();
  try {
    const body = await load(paths.states);
    for (const h of body?.states ?? []) health.set(h.device, h);
  } catch {
    // No health states (offline and never cached): every device shows as unknown.
  }
  const calendar = new Map();
  try {
    for (const c of (await load(paths.sites))?.sites ?? []) calendar.set(c.site, c);
  } catch {
    // No service calendar: no deployment buttons.
  }
  const canDeclare = state.me?.role === "engineer" || state.me?.role === "supervisor";
  const deployment = (site) => {
    const c = calendar.get(site);
    if (c?.calendar !== "deployed") return "";
    const next = c.inService ? "standdown" : "deploy";
    return html`<p class="row" data-calendar="${site}"><span class="badge state" data-in-service="${String(c.inService)}">${t(c.inService ? "deployed" : "stoodDown")}</span>
      ${c.last ? html`<span class="muted">${when(c.last.at)} · ${c.last.who}</span>` : ""}
      ${canDeclare ? html`<button type="button" data-declare="${next}" data-site="${site}">${t(next)}</button>` : ""}</p>`;
  };
  const bySite = new Map();
  for (const d of inv.devices.values()) {
    const list = bySite.get(d.site) ?? [];
    list.push(d);
    bySite.set(d.site, list);
  }
  const order = [
    "down",
    "degraded",
    "impacted",
    "unknown",
    "unmonitored",
    "maintenance",
    "not-in-service",
    "up",
  ];
  return {
    html: html`<h1>${t("byState")}</h1>${[...bySite].map(([site, list]) => {
      const rows = list
        .map((d) => ({ d, ...stateOf(d, health) }))
        .sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
      const counts = new Map();
      for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      return html`<section class="site card" data-site="${site}"><h2>${name(inv.sites.get(site)) || site}
        ${[...counts].map(([st, n]) => html`<span class="st ${st}">${t(`st_${st}`)} ${n}</span>`)}</h2>${deployment(site)}<ul>${rows.map(
          (r) => html`<li data-device="${r.d.id}"><span class="st ${r.state}">${t(`st_${r.state}`)}</span>
          <span>${name(r.d.name)}</span>${r.since ? html`<span class="muted">${t("since")} ${when(r.since)}</span>` : ""}</li>`,
        )}</ul></section>`;
    })}`,
    mount(main) {
      for (const b of main.querySelectorAll("button[data-declare]"))
        b.addEventListener("click", () =>
          declareSite(b.dataset.site, b.dataset.declare, name(inv.sites.get(b.dataset.site))),
        );
    },
  };
}

function month() {
  const d = new Date(serverNow() + 8 * 3600_000);
  return d.toISOString().slice(0, 7);
}

async function reportsView() {
  const m = month();
  const inv = await inventory();
  // The scoring export's own figures when it is there; otherwise the ledger's availability and
  // a provisional timeliness counted from this month's tickets' repair clocks.
  let sheet = null;
  try {
    const body = await load(paths.reportJson(m));
    sheet = body?.sheet ?? (body?.schema ? body : null);
  } catch {
    sheet = null;
  }
  let avail = sheet?.availability?.contract?.percent ?? null;
  let sites = (sheet?.availability?.sites ?? []).map((g) => [g.id ?? g.site, g.percent ?? g.availability]);
  let timely = sheet?.timeliness ?? null;
  let provisional = false;
  if (!sheet) {
    provisional = true;
    try {
      const a = await load(paths.availability(m));
      avail = a?.contract?.availability ?? null;
      sites = Object.entries(a?.sites ?? {}).map(([id, g]) => [id, g.availability]);
    } catch {
      avail = null;
    }
    try {
      // The ticket ledger's SLA verdicts of the month (src/tickets/report.ts): repair clocks met / breached.
      const r = (await load(paths.ticketsReport(m)))?.clocks?.repair;
      timely = r ? { onTime: r.met, late: r.breached, percent: r.percent ?? 100 } : null;
    } catch {
      timely = null;
    }
  }
  const pct = (v) => (typeof v === "number" ? `${v.toFixed(2)} %` : "—");
  const meets = (v, target) => (typeof v === "number" ? (v >= target ? "ok" : "breach") : "");
  const link = (ok, href, label) =>
    ok
      ? html`<a class="button" href="${href}" download>${label}</a>`
      : html`<span class="button" aria-disabled="true">${label}: ${t("notAvailable")}</span>`;
  return {
    html: html`<h1>${t("reports")} ${m}</h1>
      <div class="metrics">
        <div class="card metric ${meets(avail, 99)}" id="m-availability"><b>${t("availability")}</b><strong>${pct(avail)}</strong>
          <span class="muted">${t("target")} ≥ 99 % · ${t("monthToDate")}</span></div>
        <div class="card metric ${meets(timely?.percent, 98)}" id="m-timeliness"><b>${t("timeliness")}</b><strong>${pct(timely?.percent)}</strong>
          <span class="muted">${t("target")} ≥ 98 % · ${t("monthToDate")}${
            timely ? ` · ${timely.onTime}/${timely.onTime + timely.late}` : ""
          }${provisional ? ` · ${t("provisional")}` : ""}</span></div>
        ${
          sheet?.totals
            ? html`<div class="card metric" id="m-score"><b>${t("score")}</b><strong>${sheet.totals.performance} · ${sheet.totals.service}</strong>
              <span class="muted">${t("scoreParts")}${sheet.frozen ? "" : ` · ${t("monthToDate")}`}</span></div>`
            : ""
        }
      </div>
      ${
        sites.length
          ? html`<h2>${t("availability")} · ${t("site")}</h2><dl class="kv">${sites.map(
              ([id, v]) => html`<dt>${name(inv.sites.get(id)) || id}</dt><dd>${pct(v)}</dd>`,
            )}</dl>`
          : ""
      }
      <h2>${t("reports")}</h2>
      <div class="links">
        ${link(sheet, paths.scoreSheet(m), t("scoreSheet"))}
        ${link(sheet, paths.monthReport(m), t("monthReport"))}
        ${link(sheet, paths.faultsCsv(m), t("faultsTable"))}
      </div>`,
  };
}

export const views = {
  tickets: ticketsView,
  ticket: ticketView,
  devices: devicesView,
  new: async () => manualForm(await inventory()),
  windows: async () => windowsForm(await inventory()),
  reports: reportsView,
};

/** The one-second countdown: text and colour of every clock on the page. */
export function tick() {
  const now = serverNow();
  let resort = false;
  for (const el of document.querySelectorAll(".clock[data-deadline]")) {
    const k = {
      deadline: Number(el.dataset.deadline),
      stoppedAt: el.dataset.stopped ? Number(el.dataset.stopped) : null,
      total: el.dataset.total ? Number(el.dataset.total) : null,
    };
    const cls = clockClass(k, now, warnFraction);
    // A clock just breached: the list's order (breached first) changes, so re-sort it.
    const was = el.classList;
    if (cls === "breach" && (was.contains("ok") || was.contains("warn")) && state.route.name === "tickets")
      resort = true;
    const left = k.deadline - (k.stoppedAt ?? now);
    el.className = `clock ${cls}`;
    const span = el.querySelector("span");
    const text =
      k.stoppedAt !== null
        ? left < 0
          ? `${t("breached")} ${clockText(-left)}`
          : `${t("met")} ${k.total ? clockText(k.stoppedAt - (k.deadline - k.total)) : ""}`.trim()
        : left < 0
          ? `${t("over")} ${clockText(-left)}`
          : clockText(left);
    if (span.textContent !== text) span.textContent = text;
    el.dataset.left = String(Math.round(left / 1000));
  }
  if (resort) render();
}
