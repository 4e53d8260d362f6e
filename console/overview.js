// Overviews: every device's state by site (with the deployment calendar), and the month's
// figures and downloads.
import { serverMonth } from "./api.js";
import { load, state } from "./app.js";
import { html, ms, when } from "./dom.js";
import { declareSite } from "./forms.js";
import { name, t } from "./i18n.js";
import { paths } from "./paths.js";
import { inventory } from "./views.js";

function stateOf(d, health) {
  const h = health.get(d.id);
  if (h?.state) return { state: h.state, since: ms(h.since), cause: h.cause };
  return { state: "unknown", since: null };
}

export async function devicesView() {
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

export async function reportsView() {
  const m = serverMonth();
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
  // The instant the figures hold up to: the sheet's cutoff, or the ledger's as-of (now, mid-month).
  let asOf = typeof sheet?.cutoff === "number" ? sheet.cutoff : null;
  let provisional = false;
  if (!sheet) {
    provisional = true;
    try {
      const a = await load(paths.availability(m));
      avail = a?.contract?.availability ?? null;
      asOf = typeof a?.asOf === "number" ? a.asOf : asOf;
      sites = Object.entries(a?.sites ?? {}).map(([id, g]) => [id, g.availability]);
    } catch {
      avail = null;
    }
    try {
      // The sheet's own count of the month (src/tickets/period-summary.ts, by settlement month, as of now).
      const r = (await load(paths.ticketsReport(m)))?.timeliness?.bySettlementMonth;
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
      ${asOf !== null ? html`<p class="muted" id="m-as-of">${t("asOf")} ${when(asOf)}</p>` : ""}
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
