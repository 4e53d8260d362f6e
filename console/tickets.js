// Tickets: open ones worst first with live clocks and filters, and one ticket with its fault
// record, audit trail and the measured device state behind it (plus, on a desk, the open list).
import { bindActions } from "./actions.js";
import { serverNow } from "./api.js";
import { load, render, state } from "./app.js";
import { html, when } from "./dom.js";
import { name, t } from "./i18n.js";
import { actionsFor, clockNames, levels, normTicket, states, worstFirst } from "./model.js";
import { paths } from "./paths.js";
import { inventory, wide } from "./views.js";

const FILTERS = "emcomm.filters";

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
    ${tk.code ? html`<span class="badge code" data-code="${tk.code}" title="${t("faultType")}">${tk.code}</span>` : ""}
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

export async function ticketsView() {
  const f = JSON.parse(localStorage.getItem(FILTERS) ?? "{}");
  // "Closed" lists the last 31 days' closed tickets, newest first; otherwise the open ones, worst first.
  const closed = f.state === "closed";
  const [body, inv] = await Promise.all([
    load(closed ? paths.closedSince(serverNow() - 31 * 86_400_000) : paths.openTickets),
    inventory(),
  ]);
  const list = (body?.tickets ?? []).map(normTicket);
  const all = closed
    ? list.sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0))
    : worstFirst(list, serverNow());
  const shown = all.filter(
    (tk) =>
      (!f.site || tk.site === f.site) &&
      (!f.level || tk.level === f.level) &&
      (!f.state || tk.state === f.state),
  );
  const siteOptions = [...inv.sites].map(([id, n]) => [id, name(n) || id]);
  return {
    html: html`<h1>${t("tickets")} <span class="muted">(${shown.length}/${all.length} ${t(closed ? "state_closed" : "open")})</span></h1>
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
          states.map((s) => [s, t(`state_${s}`)]),
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
          render();
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
    callback: "客户回访",
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
  if (typeof d.satisfied === "boolean") parts.push(t(d.satisfied ? "satisfied" : "dissatisfied"));
  return parts.join(" · ");
}

export async function ticketView(id) {
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
        <section><h2>${t("record")}</h2><dl class="kv">${record.map(
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
          ${live.since ? html`${t("since")} ${when(live.since)}` : ""} <span class="muted">${live.code ? `${live.code}: ` : ""}${live.cause ?? ""}</span></p>`
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
