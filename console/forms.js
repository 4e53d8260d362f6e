// The other forms: signing in and out, reporting a fault by hand, maintenance windows and drills,
// and declaring a site deployed. Every form is checked here first (nothing is sent when a check
// fails) and the server's refusal is shown next to the form.
import { ApiError, get, send, serverNow, token } from "./api.js";
import { explain, load, render, signedIn, state, toast } from "./app.js";
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
import { name, t } from "./i18n.js";
import { levels } from "./model.js";
import { paths } from "./paths.js";

export function declareSite(site, action, siteName) {
  openDialog(
    `${t(action)} · ${siteName || site}`,
    html`<p>${t(action === "deploy" ? "deployHint" : "standdownHint")}</p>${field("note", t("text"), textarea("note", false))}`,
    t(action),
    async (form) => {
      const note = form.elements.note.value.trim();
      try {
        await send("POST", paths.declareSite(site, action), note ? { note } : {});
        toast(`${t(action)} · ${t("saved")}`);
        render();
        return true;
      } catch (err) {
        formError(form, explain(err));
        return false;
      }
    },
  );
}

export function openSignOut() {
  openDialog(
    `${state.me?.name ?? ""} · ${t(`role_${state.me?.role ?? "viewer"}`)}`,
    html`<p>${t("signedInAs")}</p>`,
    t("signOut"),
    async () => {
      token.clear();
      await signedIn();
      return true;
    },
  );
}

export function openSignIn() {
  openDialog(
    t("signIn"),
    field(
      "token",
      t("token"),
      html`<input type="password" name="token" id="in-token" autocomplete="current-password" spellcheck="false">`,
      t("tokenHint"),
    ),
    t("signIn"),
    async (form) => {
      const value = need(form, "token");
      if (!value) return false;
      token.set(value);
      try {
        const r = await get(paths.me);
        if (!r.data?.role) throw new ApiError(401, t("badToken"));
      } catch (err) {
        token.clear();
        invalid(form, "token", err instanceof ApiError && err.status === 401 ? t("badToken") : explain(err));
        return false;
      }
      await signedIn();
      return true;
    },
  );
}

function deviceOptions(inv) {
  return [...inv.devices.values()].map(
    (d) => html`<option value="${d.id}">${name(d.name)} (${d.id})</option>`,
  );
}

/** Report a fault by hand: a phone call, a consultation (no device). */
export function manualForm(inv) {
  const now = toLocalInput(serverNow());
  return {
    html: html`<h1>${t("newFault")}</h1>
      <form class="stack" id="manual-form" novalidate>
        ${field("device", t("device"), html`<select name="device" id="in-device"><option value="">—</option>${deviceOptions(inv)}</select>`)}
        ${field(
          "level",
          `${t("level")} *`,
          html`<select name="level" id="in-level">${levels.map(
            (l) =>
              html`<option value="${l}" ${l === "general" ? "selected" : ""}>${t(`level_${l}`)}</option>`,
          )}</select>`,
        )}
        ${field("symptom", `${t("symptom")} *`, textarea("symptom", true))}
        ${field("faultStart", t("faultStart"), html`<input type="datetime-local" name="faultStart" id="in-faultStart" value="${now}">`)}
        <p class="form-error error" role="alert"></p>
        <button type="submit" class="primary">${t("send")}</button>
      </form>`,
    mount(main) {
      const form = main.querySelector("#manual-form");
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        resetErrors(form);
        if (!token.get()) return formError(form, t("needToken"));
        const symptom = need(form, "symptom");
        const level = form.elements.level.value;
        const startRaw = form.elements.faultStart.value;
        const faultStart = startRaw ? fromLocalInput(startRaw) : null;
        let ok = Boolean(symptom);
        if (startRaw && faultStart === null) ok = invalid(form, "faultStart", t("invalidTime"));
        if (faultStart !== null && faultStart > serverNow() + 60_000)
          ok = invalid(form, "faultStart", `${t("faultStart")} > ${when(serverNow())}`);
        if (!levels.includes(level)) ok = invalid(form, "level", t("required"));
        if (!ok) return focusInvalid(form);
        const body = { level, symptom };
        if (form.elements.device.value) body.device = form.elements.device.value;
        if (faultStart !== null) body.faultStart = Math.min(faultStart, serverNow());
        try {
          const r = await send("POST", paths.newTicket, body);
          const id = r?.ticket?.id ?? r?.id;
          toast(`${t("newFault")} #${id ?? ""} · ${t("saved")}`);
          location.hash = id ? `#/t/${id}` : "#/";
        } catch (err) {
          formError(form, explain(err));
        }
      });
    },
  };
}

/** Maintenance windows and drills: the list, approval (supervisor) and a new one. */
export async function windowsForm(inv) {
  let windows = [];
  try {
    const body = await load(paths.windows);
    windows = body?.windows ?? [];
  } catch {
    windows = [];
  }
  const start = serverNow() + 5 * 60_000;
  const sites = [...inv.sites];
  const supervisor = state.me?.role === "supervisor";
  const canWrite = supervisor || state.me?.role === "engineer";
  return {
    html: html`<h1>${t("windows")}</h1>
      <section class="cards" id="window-list">${
        windows.length
          ? windows.map(
              (w) => html`<article class="card" data-window="${w.id}"><div class="card-head">
                <span class="badge state">${t(`kind_${w.kind}`)}</span>
                <span class="badge state" data-status="${w.status}">${t(`status_${w.status}`)}</span>
                <span class="muted">#${w.id}</span></div>
                <p><b>${when(w.startsAt)} → ${when(w.endsAt)}</b></p>
                <p>${w.why}</p>
                <p class="muted">${[...(w.sites ?? []).map((s) => name(inv.sites.get(s)) || s), ...(w.devices ?? [])].join(", ")} · ${w.who}</p>
                ${
                  canWrite && w.status !== "cancelled" && w.endsAt > serverNow()
                    ? html`<div class="actions">${supervisor && w.status === "requested" ? html`<button type="button" class="primary" data-approve="${w.id}">${t("approve")}</button>` : ""}
                      <button type="button" data-cancel-window="${w.id}">${t("cancelWindow")}</button></div>`
                    : ""
                }
              </article>`,
            )
          : html`<p class="muted">${t("noWindows")}</p>`
      }</section>
      <h2>${t("window")}</h2>
      <form class="stack" id="window-form" novalidate>
        ${field("kind", t("kind"), html`<select name="kind" id="in-kind"><option value="maintenance">${t("kind_maintenance")}</option><option value="drill">${t("kind_drill")}</option></select>`)}
        ${field("sites", t("site"), html`<select name="sites" id="in-sites" multiple size="${Math.min(6, sites.length)}">${sites.map(([id, n]) => html`<option value="${id}">${name(n) || id}</option>`)}</select>`)}
        ${field("devices", t("device"), html`<select name="devices" id="in-devices" multiple size="4">${deviceOptions(inv)}</select>`)}
        ${field("startsAt", `${t("startsAt")} *`, html`<input type="datetime-local" name="startsAt" id="in-startsAt" value="${toLocalInput(start)}">`)}
        ${field("endsAt", `${t("endsAt")} *`, html`<input type="datetime-local" name="endsAt" id="in-endsAt" value="${toLocalInput(start + 2 * 3600_000)}">`)}
        ${field("why", `${t("why")} *`, textarea("why", true))}
        ${field("approvalRef", t("approvalRef"), html`<input name="approvalRef" id="in-approvalRef" maxlength="200">`)}
        <p class="form-error error" role="alert"></p>
        <button type="submit" class="primary">${t("send")}</button>
      </form>`,
    mount(main) {
      for (const b of main.querySelectorAll("button[data-cancel-window]"))
        b.addEventListener("click", async () => {
          try {
            await send("POST", paths.cancelWindow(b.dataset.cancelWindow), {});
            toast(`${t("cancelWindow")} · ${t("saved")}`);
            render();
          } catch (err) {
            toast(explain(err), true);
          }
        });
      for (const b of main.querySelectorAll("button[data-approve]"))
        b.addEventListener("click", async () => {
          try {
            await send("POST", paths.approveWindow(b.dataset.approve), {});
            toast(`${t("approve")} · ${t("saved")}`);
            render();
          } catch (err) {
            toast(explain(err), true);
          }
        });
      const form = main.querySelector("#window-form");
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        resetErrors(form);
        if (!token.get()) return formError(form, t("needToken"));
        const why = need(form, "why");
        const startsAt = fromLocalInput(form.elements.startsAt.value);
        const endsAt = fromLocalInput(form.elements.endsAt.value);
        const chosen = (el) => [...el.selectedOptions].map((o) => o.value);
        const sitesChosen = chosen(form.elements.sites);
        const devicesChosen = chosen(form.elements.devices);
        let ok = Boolean(why);
        if (startsAt === null) ok = invalid(form, "startsAt", t("invalidTime"));
        if (endsAt === null) ok = invalid(form, "endsAt", t("invalidTime"));
        else if (startsAt !== null && endsAt <= startsAt) ok = invalid(form, "endsAt", t("endBeforeStart"));
        if (sitesChosen.length === 0 && devicesChosen.length === 0)
          ok = invalid(form, "sites", `${t("site")} / ${t("device")}: ${t("required")}`);
        if (!ok) return focusInvalid(form);
        const body = {
          kind: form.elements.kind.value,
          sites: sitesChosen,
          devices: devicesChosen,
          startsAt,
          endsAt,
          why,
        };
        const ref = form.elements.approvalRef.value.trim();
        if (ref) body.approvalRef = ref;
        try {
          await send("POST", paths.windows, body);
          toast(`${t("window")} · ${t("saved")}`);
          render();
        } catch (err) {
          formError(form, explain(err));
        }
      });
    },
  };
}
