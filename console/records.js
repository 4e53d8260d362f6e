// Inspections (巡检) on the phone and the desk: this month's inspection records with their state,
// a new one for a device (its readings prefilled by the daemon from telemetry), and one record:
// check in on site, the seven checklist items (ok, or an issue with a note), the readings to
// confirm, save, sign; the bureau's supervisor countersigns or returns it. A signed record is not
// edited here (the API refuses it too): its signatures show who signed which digest.
import { ApiError, send, serverMonth, token } from "./api.js";
import { explain, load, render, state, toast } from "./app.js";
import { field, need, openDialog, textarea } from "./dialog.js";
import { html, when } from "./dom.js";
import { name, t } from "./i18n.js";
import { paths } from "./paths.js";
import { inventory } from "./views.js";

/** The seven items of the contract's 巡检具体内容, in its order (ids as the API has them). */
export const checklist = ["hardware", "power", "ports", "software", "environment", "fastening", "dust"];

export const badge = (st) => html`<span class="badge state" data-state="${st}">${t(`rec_${st}`)}</span>`;

/** Sends a change of a record; the toast says saved or the API's refusal (a 409 re-reads the page). */
export async function post(path, body, method = "POST") {
  if (!token.get()) {
    toast(t("needToken"), true);
    return null;
  }
  try {
    const out = await send(method, path, body);
    toast(t("saved"));
    return out;
  } catch (err) {
    const message = explain(err);
    toast(message, true);
    if (err instanceof ApiError && err.status === 409) render();
    return null;
  }
}

/** "li, wang，zhao" → ["li", "wang", "zhao"]: names typed in one field (ASCII or Chinese commas). */
export const names = (text) =>
  text
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** One step of a record's flow (sign, submit, approve, countersign…), then the page re-read. */
export async function step(id, name) {
  await post(paths.recordStep(id, name), {});
  render();
}

/** The bureau returns a record: the dialog asks why (required), the comment goes with the return. */
export function returnRecord(id) {
  openDialog(t("reject"), field("reason", t("reason"), textarea("reason", true)), t("send"), async (form) => {
    const comment = need(form, "reason");
    if (!comment) return false;
    const done = (await post(paths.recordStep(id, "return"), { comment })) !== null;
    if (done) render();
    return done;
  });
}

/** The latest return of a record (its comment says why), or undefined. */
export const lastReturn = (sigs) => [...sigs].reverse().find((s) => s.action === "return");

/** A record's signatures: who signed what (role, time, version and the digest signed), with comments. */
export const signatureList = (id, sigs) =>
  html`<ul id="${id}">${sigs.map(
    (s) =>
      html`<li data-action="${s.action}">${t(`sig_${s.action}`)} · ${s.signer} (${t(`role_${s.role}`)}) · ${when(s.at)} · v${s.version} · <code>${s.digest.slice(0, 16)}</code>${s.comment ? ` · ${s.comment}` : ""}</li>`,
  )}</ul>`;

export async function inspectionsView() {
  const inv = await inventory();
  const m = serverMonth();
  const list = (await load(paths.records("inspection", m)))?.records ?? [];
  const canCreate = state.me?.role === "engineer" || state.me?.role === "supervisor";
  const devices = [...inv.devices.values()];
  const inspected = new Set(
    list.filter((r) => r.state === "signed" || r.state === "countersigned").map((r) => r.subject),
  );
  return {
    html: html`<h1>${t("inspections")} ${m}</h1>
      <p class="muted" id="i-progress">${t("inspected")} ${inspected.size} / ${devices.length}</p>
      ${
        canCreate
          ? html`<form id="i-new" class="row">
              <label for="i-device">${t("device")}<select id="i-device" required>
                ${devices.map((d) => html`<option value="${d.id}">${name(d.name) || d.id}</option>`)}
              </select></label>
              <button type="submit" class="primary">${t("newInspection")}</button>
            </form>`
          : ""
      }
      <div class="list">${list.map(
        (r) => html`<article class="card" data-record="${r.id}">
          <div class="card-head">${badge(r.state)}<span class="muted">#${r.id} · v${r.version}</span></div>
          <a class="card-title" href="#/i/${r.id}">${name(inv.devices.get(r.subject)?.name) || r.subject}</a>
        </article>`,
      )}</div>
      ${list.length === 0 ? html`<p class="muted">${t("noInspections")}</p>` : ""}`,
    mount(main) {
      main.querySelector("#i-new")?.addEventListener("submit", async (e) => {
        e.preventDefault();
        const device = main.querySelector("#i-device").value;
        const rec = await post(paths.createRecord("inspection"), {
          device,
          engineers: [state.me?.name ?? "engineer"],
        });
        if (rec) location.hash = `#/i/${rec.id}`;
      });
    },
  };
}

export async function inspectionView(id) {
  const inv = await inventory();
  const r = await load(paths.record(id));
  const b = r.body;
  const role = state.me?.role;
  const editable =
    (role === "engineer" || role === "supervisor") && (r.state === "draft" || r.state === "returned");
  const item = (k) => {
    const v = b.items?.[k];
    const dis = editable ? "" : "disabled";
    return html`<fieldset class="check" data-item="${k}">
      <legend>${t(`item_${k}`)}</legend>
      <label><input type="radio" name="it-${k}" value="ok" ${v?.status === "ok" ? "checked" : ""} ${dis}> ${t("itemOk")}</label>
      <label><input type="radio" name="it-${k}" value="issue" ${v?.status === "issue" ? "checked" : ""} ${dis}> ${t("itemIssue")}</label>
      <input type="text" name="note-${k}" value="${v?.note ?? ""}" placeholder="${t("itemNote")}" ${dis}>
    </fieldset>`;
  };
  const sigs = r.signatures ?? [];
  const returned = lastReturn(sigs);
  return {
    html: html`<h1>${t("inspection")} · ${name(inv.devices.get(b.device)?.name) || b.device}</h1>
      <p>${badge(r.state)} <span class="muted">#${r.id} · v${r.version} · ${b.engineers.join(", ")}</span></p>
      ${r.state === "returned" && returned ? html`<p class="error" id="i-returned">${t("returnedBecause")}: ${returned.comment}</p>` : ""}
      <p id="i-checkin">${
        b.checkin
          ? html`${t("checkedIn")} ${when(b.checkin.at)} ${b.checkin.position ?? ""}`
          : editable
            ? html`<button type="button" id="i-do-checkin" class="primary">${t("checkIn")}</button>`
            : t("notCheckedIn")
      }</p>
      <form id="i-form" novalidate>
        <h2>${t("readings")}</h2>
        <dl class="kv" id="i-readings">${(b.readings ?? []).map(
          (x) =>
            html`<dt>${x.metric}${x.labels ? ` ${Object.values(x.labels).join(",")}` : ""}</dt><dd>${x.value}${x.note ? ` · ${x.note}` : ""}</dd>`,
        )}</dl>
        ${(b.readings ?? []).length === 0 ? html`<p class="muted">${t("noReadings")}</p>` : ""}
        <label class="row"><input type="checkbox" id="i-confirm" ${b.readingsConfirmed ? "checked" : ""} ${editable ? "" : "disabled"}> ${t("confirmReadings")}</label>
        <h2>${t("checklist")}</h2>
        ${checklist.map(item)}
        ${editable ? html`<div class="actions"><button type="submit" id="i-save">${t("save")}</button></div>` : ""}
      </form>
      <div class="actions">
        ${editable && role === "engineer" ? html`<button type="button" class="primary" id="i-sign">${t("sign")}</button>` : ""}
        ${
          r.state === "signed" && role === "supervisor"
            ? html`<button type="button" class="primary" id="i-countersign">${t("countersign")}</button>
          <button type="button" class="danger" id="i-return">${t("reject")}</button>`
            : ""
        }
      </div>
      <h2>${t("signatures")}</h2>
      ${signatureList("i-signatures", sigs)}`,
    mount(main) {
      const read = () => {
        const items = {};
        for (const k of checklist) {
          const v = main.querySelector(`input[name="it-${k}"]:checked`)?.value;
          const note = main.querySelector(`input[name="note-${k}"]`).value.trim();
          if (v) items[k] = note ? { status: v, note } : { status: v };
        }
        return { ...b, items, readingsConfirmed: main.querySelector("#i-confirm").checked };
      };
      const save = async () => {
        const missing = checklist.filter((k) => {
          const v = main.querySelector(`input[name="it-${k}"]:checked`)?.value;
          return v === "issue" && !main.querySelector(`input[name="note-${k}"]`).value.trim();
        });
        if (missing.length) {
          toast(`${t("issueNeedsNote")}: ${missing.map((k) => t(`item_${k}`)).join(", ")}`, true);
          return false;
        }
        return (await post(paths.record(id), read(), "PUT")) !== null;
      };
      main.querySelector("#i-do-checkin")?.addEventListener("click", async () => {
        if (await post(paths.recordStep(id, "checkin"), {})) render();
      });
      main.querySelector("#i-form")?.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (await save()) render();
      });
      main.querySelector("#i-sign")?.addEventListener("click", async () => {
        if (await save()) await step(id, "sign");
      });
      main.querySelector("#i-countersign")?.addEventListener("click", () => step(id, "countersign"));
      main.querySelector("#i-return")?.addEventListener("click", () => returnRecord(id));
    },
  };
}
