// The bureau's register (甲方登记) on the phone and the desk: a month's entries (complaints, written
// praise, escalations or media exposure, production accidents with the deduction the bureau decides,
// user-data errors, the monthly review call held or missed, reports submitted or missing, conforming
// or not), each with the line of 附件二 it counts on and what it does to that line, the month's
// score of those lines from the live score sheet, and the supervisor's form for a new entry. An
// entry is signed by its author when recorded: the page never edits one.
import { send, serverMonth, serverNow, token } from "./api.js";
import { explain, load, render, state, toast } from "./app.js";
import { field, focusInvalid, formError, invalid, need, resetErrors, textarea } from "./dialog.js";
import { fromLocalInput, html, toLocalInput, when } from "./dom.js";
import { name, t } from "./i18n.js";
import { paths } from "./paths.js";

export const entries = [
  "complaint",
  "praise",
  "escalation",
  "accident",
  "user-data-error",
  "review-call",
  "report",
];
/** Entries that must say what happened. */
const described = new Set(["complaint", "praise", "escalation", "accident", "user-data-error"]);

const points = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "±0");
const lineIds = ["complaints", "escalated", "production-accidents", "user-data", "review-call", "reports"];

/** What an entry says beyond its kind: the description, the call held or missed, the report's fate. */
function detail(b) {
  if (b.entry === "review-call")
    return `${b.held ? t("held") : t("missed")}${b.description ? ` · ${b.description}` : ""}`;
  if (b.entry === "report")
    return `${b.report} · ${
      b.submittedAt === null
        ? t("missing")
        : `${when(b.submittedAt)} · ${b.conforming ? t("conforming") : t("nonConforming")}`
    }${b.description ? ` · ${b.description}` : ""}`;
  return b.description;
}

/** The month's lines the register counts on, from the live score sheet; null when it is not there. */
async function lineScores(m) {
  try {
    const body = await load(paths.reportJson(m));
    const sheet = body?.sheet ?? body;
    return (sheet?.lines ?? []).filter((l) => lineIds.includes(l.id));
  } catch {
    return null;
  }
}

/** #/register[/YYYY-MM]: the month's entries with their effect, and the supervisor's form. */
export async function registerView(id) {
  const m = /^\d{4}-(0[1-9]|1[0-2])$/.test(id ?? "") ? id : serverMonth();
  const list = ((await load(paths.records("register", m)))?.records ?? []).sort(
    (a, b) => a.body.at - b.body.at || a.id - b.id,
  );
  const lines = await lineScores(m);
  const supervisor = state.me?.role === "supervisor";
  const only = (entry, content) => html`<div data-for="${entry}">${content}</div>`;
  // A new entry is dated now in this month's view, otherwise on the viewed month's first morning.
  const defaultAt = m === serverMonth() ? serverNow() : fromLocalInput(`${m}-01T09:00`);
  return {
    html: html`<h1>${t("register")} ${m}</h1>
      <label class="field" for="r-month">${t("month")}<input type="month" id="r-month" value="${m}"></label>
      ${
        lines?.length
          ? html`<h2>${t("lineScores")}</h2><dl class="kv" id="r-lines">${lines.map(
              (l) => html`<dt>${name(l.name)}</dt><dd data-line="${l.id}">${l.score} / ${l.maxScore}</dd>`,
            )}</dl>`
          : ""
      }
      <h2>${t("entries")}</h2>
      <div class="cards" id="r-list">${list.map((r) => {
        // What the entry does to its line, as the score sheet counts it: the server says (API).
        const e = r.effect ?? { line: "", points: 0 };
        return html`<article class="card" data-record="${r.id}" data-entry="${r.body.entry}">
          <div class="card-head"><span class="badge state">${t(`entry_${r.body.entry}`)}</span>
            <span class="muted">#${r.id} · ${when(r.body.at)} · ${r.createdBy}</span></div>
          <p>${detail(r.body)}</p>
          <p class="effect" data-line="${e.line}" data-points="${e.points}"><b>${points(e.points)}</b> · ${t(`line_${e.line}`)}</p>
        </article>`;
      })}</div>
      ${list.length === 0 ? html`<p class="muted">${t("noEntries")}</p>` : ""}
      ${
        supervisor
          ? html`<h2>${t("newEntry")}</h2>
            <form class="stack" id="r-form" novalidate>
              ${field("entry", t("entry"), html`<select name="entry" id="in-entry">${entries.map((e) => html`<option value="${e}">${t(`entry_${e}`)}</option>`)}</select>`)}
              ${field("at", `${t("entryAt")} *`, html`<input type="datetime-local" name="at" id="in-at" value="${toLocalInput(defaultAt)}">`)}
              ${field("description", t("description"), textarea("description", false))}
              ${only("accident", field("deduction", `${t("deduction")} *`, html`<input type="number" name="deduction" id="in-deduction" min="5" max="10" step="0.5" value="5">`))}
              ${only("review-call", html`<label class="row"><input type="checkbox" name="held" id="in-held" checked> ${t("held")}</label>`)}
              ${only("report", field("report", `${t("reportName")} *`, html`<input name="report" id="in-report" maxlength="200">`))}
              ${only("report", field("submittedAt", t("submittedAt"), html`<input type="datetime-local" name="submittedAt" id="in-submittedAt">`, t("emptyMissing")))}
              ${only("report", html`<label class="row"><input type="checkbox" name="conforming" id="in-conforming" checked> ${t("conforming")}</label>`)}
              <p class="form-error error" role="alert"></p>
              <button type="submit" class="primary">${t("recordEntry")}</button>
            </form>`
          : ""
      }`,
    mount(main) {
      main.querySelector("#r-month").addEventListener("change", (e) => {
        if (e.target.value) location.hash = `#/register/${e.target.value}`;
      });
      const form = main.querySelector("#r-form");
      if (!form) return;
      const show = () => {
        for (const el of form.querySelectorAll("[data-for]"))
          el.hidden = el.dataset.for !== form.elements.entry.value;
      };
      form.elements.entry.addEventListener("change", show);
      show();
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        resetErrors(form);
        if (!token.get()) return formError(form, t("needToken"));
        const f = form.elements;
        const entry = f.entry.value;
        const at = fromLocalInput(f.at.value);
        let ok = true;
        if (at === null) ok = invalid(form, "at", t("invalidTime"));
        const body = { entry, at };
        const description = described.has(entry) ? need(form, "description") : f.description.value.trim();
        if (described.has(entry) && !description) ok = false;
        if (description) body.description = description;
        if (entry === "accident") {
          body.deduction = Number(f.deduction.value);
          if (!(body.deduction >= 5 && body.deduction <= 10))
            ok = invalid(form, "deduction", t("deductionRange"));
        }
        if (entry === "review-call") body.held = f.held.checked;
        if (entry === "report") {
          body.report = need(form, "report");
          if (!body.report) ok = false;
          const raw = f.submittedAt.value;
          body.submittedAt = raw ? fromLocalInput(raw) : null;
          if (raw && body.submittedAt === null) ok = invalid(form, "submittedAt", t("invalidTime"));
          body.conforming = f.conforming.checked;
        }
        if (!ok) return focusInvalid(form);
        try {
          await send("POST", paths.createRecord("register"), body);
          toast(`${t(`entry_${entry}`)} · ${t("saved")}`);
          const of = toLocalInput(at).slice(0, 7);
          if (of === m) render();
          else location.hash = `#/register/${of}`;
        } catch (err) {
          formError(form, explain(err));
        }
      });
    },
  };
}
