// Inspection plans (巡检计划) on the phone and the desk: the plans of a month (next month's by
// default, the one the engineer drafts before this month ends), a new one, and one plan: its visits
// (device, date, engineers) edited while it is a draft or returned, submitted by the engineer, then
// approved or returned with a comment by the bureau's supervisor. Every saved change is a version:
// the page lists them with who and when, and the signatures of each step.
import { serverMonth } from "./api.js";
import { load, render, state, toast } from "./app.js";
import { formError } from "./dialog.js";
import { html, when } from "./dom.js";
import { name, t } from "./i18n.js";
import { paths } from "./paths.js";
import { badge, lastReturn, names, post, returnRecord, signatureList, step } from "./records.js";
import { inventory } from "./views.js";

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month after "YYYY-MM". */
export function nextMonth(m) {
  const [y, mo] = m.split("-").map(Number);
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
}

/** The first and last day of "YYYY-MM", for a date input's bounds. */
function days(m) {
  const [y, mo] = m.split("-").map(Number);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { min: `${m}-01`, max: `${m}-${String(last).padStart(2, "0")}` };
}

const deviceName = (inv, id) => name(inv.devices.get(id)?.name) || id;

/** One visit of a plan: a fieldset to edit, or a line to read. */
function visitRow(inv, m, v, editable, removable = true) {
  if (!editable)
    return html`<li data-visit="${v.device}">${v.date} · ${deviceName(inv, v.device)} · ${v.engineers.join(", ")}</li>`;
  const { min, max } = days(m);
  return html`<fieldset class="visit">
    <label class="field">${t("device")}<select name="device">
      <option value="">—</option>
      ${[...inv.devices.values()].map(
        (d) =>
          html`<option value="${d.id}" ${d.id === v.device ? "selected" : ""}>${name(d.name) || d.id}</option>`,
      )}</select></label>
    <label class="field">${t("visitDate")}<input type="date" name="date" value="${v.date}" min="${min}" max="${max}"></label>
    <label class="field">${t("engineers")}<input type="text" name="engineers" value="${v.engineers.join(", ")}" placeholder="${t("engineersHint")}"></label>
    ${removable ? html`<button type="button" class="danger" data-remove-visit>${t("removeVisit")}</button>` : ""}
  </fieldset>`;
}

/**
 * The visits on the page, checked: devices chosen, dates within the plan's month, engineers named.
 * Returns { visits } or { error } (nothing is sent when a check fails).
 */
function readVisits(root, m, inv) {
  const visits = [];
  for (const fs of root.querySelectorAll("fieldset.visit")) {
    const device = fs.querySelector('[name="device"]').value;
    const date = fs.querySelector('[name="date"]').value;
    const engineers = names(fs.querySelector('[name="engineers"]').value);
    if (!device && !date && engineers.length === 0) continue;
    if (!device) return { error: `${t("device")}: ${t("required")}` };
    if (!date.startsWith(`${m}-`)) return { error: `${deviceName(inv, device)}: ${t("dateInMonth")} ${m}` };
    if (engineers.length === 0)
      return { error: `${deviceName(inv, device)}: ${t("engineers")} ${t("required")}` };
    visits.push({ device, date, engineers });
  }
  if (visits.length === 0) return { error: t("planNeedsVisit") };
  return { visits: visits.sort((a, b) => a.date.localeCompare(b.date) || a.device.localeCompare(b.device)) };
}

/** #/plans[/YYYY-MM]: the month's plans (next month's by default) and a new one. */
export async function plansView(id) {
  const inv = await inventory();
  const m = MONTH_RE.test(id ?? "") ? id : nextMonth(serverMonth());
  const list = (await load(paths.records("plan", m)))?.records ?? [];
  const engineer = state.me?.role === "engineer";
  const me = state.me?.name ?? "";
  return {
    html: html`<h1>${t("plans")} ${m}</h1>
      <label class="field" for="p-month">${t("month")}<input type="month" id="p-month" value="${m}"></label>
      <div class="cards" id="p-list">${list.map(
        (r) => html`<article class="card" data-record="${r.id}">
          <div class="card-head">${badge(r.state)}<span class="muted">#${r.id} · v${r.version} · ${r.createdBy}</span></div>
          <a class="card-title" href="#/p/${r.id}">${t("plan")} ${r.body.month} · ${r.body.visits.length} ${t("visits")}</a>
          <p class="muted">${when(r.updatedAt)}</p>
        </article>`,
      )}</div>
      ${list.length === 0 ? html`<p class="muted">${t("noPlans")}</p>` : ""}
      ${
        engineer
          ? html`<h2>${t("newPlan")} ${m}</h2>
            <form id="p-new" class="stack" novalidate>
              ${visitRow(inv, m, { device: "", date: "", engineers: me ? [me] : [] }, true, false)}
              <p class="form-error error" role="alert"></p>
              <button type="submit" class="primary">${t("newPlan")}</button>
            </form>`
          : ""
      }`,
    mount(main) {
      main.querySelector("#p-month").addEventListener("change", (e) => {
        if (MONTH_RE.test(e.target.value)) location.hash = `#/plans/${e.target.value}`;
      });
      const form = main.querySelector("#p-new");
      form?.addEventListener("submit", async (e) => {
        e.preventDefault();
        const { visits, error } = readVisits(form, m, inv);
        if (error) return formError(form, error);
        const rec = await post(paths.createRecord("plan"), { month: m, visits });
        if (rec) location.hash = `#/p/${rec.id}`;
      });
    },
  };
}

/** #/p/<id>: one plan, its visits, its versions and signatures, and the steps the role may take. */
export async function planView(id) {
  const inv = await inventory();
  const r = await load(paths.record(id));
  const b = r.body;
  const role = state.me?.role;
  const editable = role === "engineer" && (r.state === "draft" || r.state === "returned");
  const sigs = r.signatures ?? [];
  const returned = lastReturn(sigs);
  const versions = [...(r.versions ?? [])].reverse();
  return {
    html: html`<h1>${t("plan")} ${b.month}</h1>
      <p>${badge(r.state)} <span class="muted">#${r.id} · v${r.version} · ${r.createdBy}</span></p>
      <p><a href="#/plans/${b.month}">${t("plans")} ${b.month}</a></p>
      ${r.state === "returned" && returned ? html`<p class="error" id="p-returned">${t("returnedBecause")}: ${returned.comment}</p>` : ""}
      <h2>${t("planVisits")} (${b.visits.length})</h2>
      ${
        editable
          ? html`<form id="p-form" novalidate>
              <div id="p-visits">${b.visits.map((v) => visitRow(inv, b.month, v, true))}</div>
              <div class="actions"><button type="button" id="p-add">${t("addVisit")}</button>
              <button type="submit" id="p-save">${t("save")}</button>
              <button type="button" class="primary" id="p-submit">${t("submitPlan")}</button></div>
            </form>`
          : html`<ul id="p-visits">${b.visits.map((v) => visitRow(inv, b.month, v, false))}</ul>`
      }
      ${
        r.state === "submitted" && role === "supervisor"
          ? html`<div class="actions"><button type="button" class="primary" id="p-approve">${t("approve")}</button>
            <button type="button" class="danger" id="p-return">${t("reject")}</button></div>`
          : ""
      }
      <h2>${t("versions")}</h2>
      <div id="p-versions">${versions.map(
        (
          v,
        ) => html`<details data-version="${v.version}"><summary>v${v.version} · ${v.actor} · ${when(v.at)} · ${v.body.visits.length} ${t("visits")}${v.reason ? ` · ${v.reason}` : ""}</summary>
          <ul>${v.body.visits.map((x) => visitRow(inv, b.month, x, false))}</ul></details>`,
      )}</div>
      <h2>${t("signatures")}</h2>
      ${signatureList("p-signatures", sigs)}`,
    mount(main) {
      const box = main.querySelector("#p-visits");
      box.addEventListener("click", (e) => {
        if (e.target.matches?.("[data-remove-visit]")) e.target.closest("fieldset.visit").remove();
      });
      main.querySelector("#p-add")?.addEventListener("click", () => {
        const blank = { device: "", date: "", engineers: state.me?.name ? [state.me.name] : [] };
        box.insertAdjacentHTML("beforeend", String(visitRow(inv, b.month, blank, true)));
      });
      /** Saves the visits as a new version when they changed; false when refused. */
      const save = async () => {
        const { visits, error } = readVisits(main, b.month, inv);
        if (error) {
          toast(error, true);
          return false;
        }
        if (JSON.stringify(visits) === JSON.stringify(b.visits)) return true;
        return (await post(paths.record(id), { ...b, visits }, "PUT")) !== null;
      };
      main.querySelector("#p-form")?.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (await save()) render();
      });
      main.querySelector("#p-submit")?.addEventListener("click", async () => {
        if (await save()) await step(id, "submit");
      });
      main.querySelector("#p-approve")?.addEventListener("click", () => step(id, "approve"));
      main.querySelector("#p-return")?.addEventListener("click", () => returnRecord(id));
    },
  };
}
