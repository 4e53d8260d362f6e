// Province joint tests (全省联调), drills (演练, on their approved `drill` maintenance window) and
// communication-support tasks (通信保障), and the call-backs after closed tickets (客户故障回访):
// a month's list of each and a form for a new one. An activity is signed by the engineer with its
// outcome (done as asked or not), then countersigned or returned by the bureau's supervisor; a
// call-back is signed when it is recorded.
import { send, serverMonth, serverNow, token } from "./api.js";
import { explain, load, render, state, toast } from "./app.js";
import {
  field,
  focusInvalid,
  formError,
  invalid,
  need,
  openDialog,
  resetErrors,
  textarea,
} from "./dialog.js";
import { fromLocalInput, html, toLocalInput, when } from "./dom.js";
import { t } from "./i18n.js";
import { normTicket } from "./model.js";
import { paths } from "./paths.js";
import { badge, names, returnRecord, step } from "./records.js";

export const activityKinds = ["joint-test", "drill", "support"];
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A month picker that moves to `#/<route>/<month>`. */
const monthPicker = (id, m) =>
  html`<label class="field" for="${id}">${t("month")}<input type="month" id="${id}" value="${m}"></label>`;
function followMonth(main, id, route) {
  main.querySelector(`#${id}`).addEventListener("change", (e) => {
    if (MONTH_RE.test(e.target.value)) location.hash = `#/${route}/${e.target.value}`;
  });
}

/** The end of a new record's form: a free note, the form's error line, and the button. */
const noteAndSend = () => html`${field("note", t("text"), textarea("note", false))}
  <p class="form-error error" role="alert"></p>
  <button type="submit" class="primary">${t("send")}</button>`;

/** Sends a new record from a form; the API's refusal is shown next to the form. */
async function create(form, kind, body) {
  try {
    await send("POST", paths.createRecord(kind), body);
    toast(t("saved"));
    render();
  } catch (err) {
    formError(form, explain(err));
  }
}

/** #/activities[/YYYY-MM]: the month's joint tests, drills and support tasks, and a new one. */
export async function activitiesView(id) {
  const m = MONTH_RE.test(id ?? "") ? id : serverMonth();
  const lists = await Promise.all(activityKinds.map((k) => load(paths.records(k, m))));
  const records = lists.flatMap((l) => l?.records ?? []).sort((a, b) => a.body.startsAt - b.body.startsAt);
  let drillWindows = [];
  try {
    drillWindows = ((await load(paths.windows))?.windows ?? []).filter(
      (w) => w.kind === "drill" && w.status === "approved",
    );
  } catch {
    drillWindows = [];
  }
  const role = state.me?.role;
  const canWrite = role === "engineer" || role === "supervisor";
  const start = serverNow();
  return {
    html: html`<h1>${t("activities")} ${m}</h1>
      ${monthPicker("a-month", m)}
      <div class="cards" id="a-list">${records.map((r) => {
        const b = r.body;
        const signable = role === "engineer" && (r.state === "draft" || r.state === "returned");
        return html`<article class="card" data-record="${r.id}" data-kind="${r.kind}">
          <div class="card-head"><span class="badge state">${t(`activity_${r.kind}`)}</span>${badge(r.state)}
            <span class="muted">#${r.id} · v${r.version}</span></div>
          <p class="card-title">${b.title}</p>
          <p>${when(b.startsAt)} → ${when(b.endsAt)}</p>
          <p class="muted">${t("engineers")}: ${b.engineers.join(", ")}${b.systems.length ? ` · ${t("systems")}: ${b.systems.join(", ")}` : ""}</p>
          <p data-outcome="${b.outcome ?? ""}">${t("outcome")}: ${b.outcome ? t(`outcome_${b.outcome}`) : "—"} · ${b.readings.length} ${t("readingsTaken")}${b.note ? ` · ${b.note}` : ""}</p>
          ${
            signable || (r.state === "signed" && role === "supervisor")
              ? html`<div class="actions">${signable ? html`<button type="button" class="primary" data-sign="${r.id}">${t("sign")}</button>` : ""}
                ${r.state === "signed" && role === "supervisor" ? html`<button type="button" class="primary" data-countersign="${r.id}">${t("countersign")}</button><button type="button" class="danger" data-return="${r.id}">${t("reject")}</button>` : ""}</div>`
              : ""
          }
        </article>`;
      })}</div>
      ${records.length === 0 ? html`<p class="muted">${t("noActivities")}</p>` : ""}
      ${
        canWrite
          ? html`<h2>${t("newActivity")}</h2>
            <form class="stack" id="a-form" novalidate>
              ${field("kind", t("kind"), html`<select name="kind" id="in-a-kind">${activityKinds.map((k) => html`<option value="${k}">${t(`activity_${k}`)}</option>`)}</select>`)}
              <div data-for="drill">${field(
                "window",
                `${t("drillWindow")} *`,
                html`<select name="window" id="in-a-window"><option value="">—</option>${drillWindows.map(
                  (w) =>
                    html`<option value="${w.id}" data-starts="${w.startsAt}" data-ends="${w.endsAt}">#${w.id} ${when(w.startsAt)} · ${w.why}</option>`,
                )}</select>`,
              )}</div>
              ${field("title", `${t("activityTitle")} *`, html`<input name="title" id="in-a-title" maxlength="200">`)}
              ${field("startsAt", `${t("startsAt")} *`, html`<input type="datetime-local" name="startsAt" id="in-a-startsAt" value="${toLocalInput(start - 2 * 3600_000)}">`)}
              ${field("endsAt", `${t("endsAt")} *`, html`<input type="datetime-local" name="endsAt" id="in-a-endsAt" value="${toLocalInput(start)}">`)}
              ${field("engineers", `${t("engineers")} *`, html`<input name="engineers" id="in-a-engineers" value="${state.me?.name ?? ""}">`, t("engineersHint"))}
              ${field("systems", t("systems"), html`<input name="systems" id="in-a-systems">`, t("systemsHint"))}
              ${field("outcome", t("outcome"), html`<select name="outcome" id="in-a-outcome"><option value="">—</option><option value="done">${t("outcome_done")}</option><option value="failed">${t("outcome_failed")}</option></select>`)}
              ${noteAndSend()}
            </form>`
          : ""
      }`,
    mount(main) {
      followMonth(main, "a-month", "activities");
      const byId = new Map(records.map((r) => [String(r.id), r]));
      for (const b of main.querySelectorAll("button[data-sign]"))
        b.addEventListener("click", () => signActivity(byId.get(b.dataset.sign)));
      for (const b of main.querySelectorAll("button[data-countersign]"))
        b.addEventListener("click", () => step(b.dataset.countersign, "countersign"));
      for (const b of main.querySelectorAll("button[data-return]"))
        b.addEventListener("click", () => returnRecord(b.dataset.return));
      const form = main.querySelector("#a-form");
      if (!form) return;
      const f = form.elements;
      const show = () => {
        for (const el of form.querySelectorAll("[data-for]")) el.hidden = el.dataset.for !== f.kind.value;
      };
      f.kind.addEventListener("change", show);
      show();
      // A drill takes its window's times.
      f.window.addEventListener("change", () => {
        const o = f.window.selectedOptions[0];
        if (!o?.dataset.starts) return;
        f.startsAt.value = toLocalInput(Number(o.dataset.starts));
        f.endsAt.value = toLocalInput(Number(o.dataset.ends));
      });
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        resetErrors(form);
        if (!token.get()) return formError(form, t("needToken"));
        const kind = f.kind.value;
        const title = need(form, "title");
        const startsAt = fromLocalInput(f.startsAt.value);
        const endsAt = fromLocalInput(f.endsAt.value);
        const engineers = names(f.engineers.value);
        let ok = Boolean(title);
        if (startsAt === null) ok = invalid(form, "startsAt", t("invalidTime"));
        if (endsAt === null) ok = invalid(form, "endsAt", t("invalidTime"));
        else if (startsAt !== null && endsAt <= startsAt) ok = invalid(form, "endsAt", t("endBeforeStart"));
        if (engineers.length === 0) ok = invalid(form, "engineers", `${t("engineers")}: ${t("required")}`);
        if (kind === "drill" && !f.window.value)
          ok = invalid(form, "window", `${t("drillWindow")}: ${t("required")}`);
        if (!ok) return focusInvalid(form);
        const body = { title, startsAt, endsAt, engineers, systems: names(f.systems.value) };
        if (f.outcome.value) body.outcome = f.outcome.value;
        if (kind === "drill") body.window = Number(f.window.value);
        const note = f.note.value.trim();
        if (note) body.note = note;
        await create(form, kind, body);
      });
    },
  };
}

/** Sign an activity: its outcome (done as asked or not) first, saved as a new version if it changed. */
function signActivity(r) {
  openDialog(
    `${t("sign")} · ${r.body.title}`,
    field(
      "outcome",
      `${t("outcome")} *`,
      html`<select name="outcome"><option value="">—</option>${["done", "failed"].map(
        (o) =>
          html`<option value="${o}" ${r.body.outcome === o ? "selected" : ""}>${t(`outcome_${o}`)}</option>`,
      )}</select>`,
    ),
    t("sign"),
    async (form) => {
      const outcome = form.elements.outcome.value;
      if (!outcome) return invalid(form, "outcome", `${t("outcome")}: ${t("required")}`);
      try {
        if (outcome !== r.body.outcome) await send("PUT", paths.record(r.id), { ...r.body, outcome });
        await send("POST", paths.recordStep(r.id, "sign"), {});
      } catch (err) {
        formError(form, explain(err));
        return false;
      }
      toast(t("saved"));
      render();
      return true;
    },
  );
}

/** #/callbacks[/YYYY-MM]: the month's call-backs after closed tickets, and a new one. */
export async function callbacksView(id) {
  const m = MONTH_RE.test(id ?? "") ? id : serverMonth();
  const records = ((await load(paths.records("callback", m)))?.records ?? []).sort(
    (a, b) => a.body.calledAt - b.body.calledAt,
  );
  const canWrite = state.me?.role === "engineer" || state.me?.role === "supervisor";
  let closed = [];
  if (canWrite)
    try {
      closed = ((await load(paths.closedSince(serverNow() - 31 * 86_400_000)))?.tickets ?? []).map(
        normTicket,
      );
    } catch {
      closed = [];
    }
  return {
    html: html`<h1>${t("callbacks")} ${m}</h1>
      ${monthPicker("c-month", m)}
      <div class="cards" id="c-list">${records.map(
        (
          r,
        ) => html`<article class="card" data-record="${r.id}" data-satisfied="${r.body.satisfied ? "yes" : "no"}">
          <div class="card-head"><span class="badge state">${r.body.satisfied ? t("satisfied") : t("dissatisfied")}</span>
            <span class="muted">#${r.id} · ${when(r.body.calledAt)} · ${r.createdBy}</span></div>
          <a class="card-title" href="#/t/${r.body.ticket}">${t("ticket")} #${r.body.ticket}</a>
          <p>${r.body.contact}${r.body.note ? ` · ${r.body.note}` : ""}</p>
        </article>`,
      )}</div>
      ${records.length === 0 ? html`<p class="muted">${t("noCallbacks")}</p>` : ""}
      ${
        canWrite
          ? html`<h2>${t("newCallback")}</h2>
            <form class="stack" id="c-form" novalidate>
              ${field(
                "ticket",
                `${t("ticket")} *`,
                html`<select name="ticket" id="in-c-ticket"><option value="">—</option>${closed.map(
                  (k) =>
                    html`<option value="${k.id}">${[`#${k.id}`, k.deviceName ?? k.device, k.symptom].filter(Boolean).join(" · ")}</option>`,
                )}</select>`,
              )}
              ${field("calledAt", `${t("calledAt")} *`, html`<input type="datetime-local" name="calledAt" id="in-c-calledAt" value="${toLocalInput(serverNow())}">`)}
              ${field("contact", `${t("contact")} *`, html`<input name="contact" id="in-c-contact" maxlength="200">`)}
              <fieldset class="check"><legend>${t("satisfaction")}</legend>
                <label><input type="radio" name="satisfied" value="yes" checked> ${t("satisfied")}</label>
                <label><input type="radio" name="satisfied" value="no"> ${t("dissatisfied")}</label></fieldset>
              ${noteAndSend()}
            </form>`
          : ""
      }`,
    mount(main) {
      followMonth(main, "c-month", "callbacks");
      const form = main.querySelector("#c-form");
      form?.addEventListener("submit", async (e) => {
        e.preventDefault();
        resetErrors(form);
        if (!token.get()) return formError(form, t("needToken"));
        const f = form.elements;
        const contact = need(form, "contact");
        const calledAt = fromLocalInput(f.calledAt.value);
        let ok = Boolean(contact);
        if (!f.ticket.value) ok = invalid(form, "ticket", `${t("ticket")}: ${t("required")}`);
        if (calledAt === null) ok = invalid(form, "calledAt", t("invalidTime"));
        if (!ok) return focusInvalid(form);
        const body = {
          ticket: Number(f.ticket.value),
          calledAt,
          contact,
          satisfied: f.satisfied.value === "yes",
        };
        const note = f.note.value.trim();
        if (note) body.note = note;
        await create(form, "callback", body);
      });
    },
  };
}
