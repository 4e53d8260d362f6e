// Everything that changes state: the ticket actions (one tap for accept/arrive/verify, a short
// form for clear/reject/comment), reporting a fault by hand, maintenance windows and drills, and
// signing in. Every form is checked here first (nothing is sent when a check fails) and the server's
// refusal (400 bad input, 403 role, 409 someone acted first) is shown next to the form.
import { ApiError, get, send, serverNow, token } from "./api.js";
import { explain, load, render, signedIn, state, toast } from "./app.js";
import { fromLocalInput, html, toLocalInput, when } from "./dom.js";
import { name, t } from "./i18n.js";
import { levels } from "./model.js";
import { paths } from "./paths.js";

const dialog = () => document.getElementById("dialog");
const dialogForm = () => document.getElementById("dialog-form");

/** Marks a field invalid with a message under it; returns false for chaining. */
function invalid(form, field, message) {
  const input = form.querySelector(`[name="${field}"]`);
  input?.setAttribute("aria-invalid", "true");
  const slot = form.querySelector(`[data-error-for="${field}"]`);
  if (slot) slot.textContent = message;
  return false;
}

function resetErrors(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  const top = form.querySelector(".form-error");
  if (top) top.textContent = "";
}

function formError(form, message) {
  const top = form.querySelector(".form-error");
  if (top) top.textContent = message;
}

const field = (key, label, input, hint = "") =>
  html`<label class="field">${label}${input}${hint ? html`<span class="muted">${hint}</span>` : ""}
    <span class="field-error" data-error-for="${key}"></span></label>`;

const textarea = (key, required) =>
  html`<textarea name="${key}" id="in-${key}" ${required ? "required" : ""} maxlength="4000"></textarea>`;

/** Opens the dialog with `body`; `onSubmit(form)` returns true to close it. */
function openDialog(title, body, submitText, onSubmit) {
  const form = dialogForm();
  form.innerHTML = String(html`<h2>${title}</h2>${body}
    <p class="form-error error" role="alert"></p>
    <div class="actions"><button type="button" value="cancel" data-cancel>${t("cancel")}</button>
    <button type="submit" class="primary" value="ok">${submitText}</button></div>`);
  const d = dialog();
  form.onsubmit = async (e) => {
    e.preventDefault();
    resetErrors(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      if (await onSubmit(form)) d.close();
    } finally {
      button.disabled = false;
    }
  };
  form.querySelector("[data-cancel]").onclick = () => d.close();
  d.showModal();
  form.querySelector("textarea, input, select")?.focus();
}

/** The state the ticket is in now (after a 409), for the message. */
async function currentState(id) {
  try {
    const r = await get(paths.ticket(id));
    const tk = r.data?.ticket ?? r.data;
    return tk?.state ? t(`state_${tk.state}`) : "?";
  } catch {
    return "?";
  }
}

/**
 * Sends one action. Resolves true when done; on refusal shows why (in the form when there is one,
 * else as a toast), re-renders on 409 so the page shows what the other person did, resolves false.
 */
export async function act(id, action, body, form) {
  if (!token.get()) {
    toast(t("needToken"), true);
    return false;
  }
  try {
    await send("POST", paths.act(id, action), body);
    toast(`${t(action)} · ${t("saved")}`);
    render();
    return true;
  } catch (err) {
    let message = explain(err);
    if (err instanceof ApiError && err.status === 409) {
      message = `${t("conflict")} ${await currentState(id)} (${err.message})`;
      render();
    }
    if (form) formError(form, message);
    toast(message, true);
    return false;
  }
}

/** The phone's position, when it offers one within 8 s; otherwise null (arrival is still recorded). */
function position() {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 9000);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
    );
  });
}

const need = (form, key) => {
  const v = form.elements[key]?.value?.trim() ?? "";
  if (!v) invalid(form, key, `${t(key)}: ${t("required")}`);
  return v;
};

/** Wires the action buttons of a view (data-act, data-id, data-state). */
export function bindActions(root) {
  for (const b of root.querySelectorAll("button[data-act]"))
    b.addEventListener("click", () =>
      onAction(b.dataset.act, b.dataset.id, b, Number(b.dataset.restored) || null),
    );
}

async function onAction(action, id, button, restoredAt) {
  if (!token.get()) return toast(t("needToken"), true);
  if (action === "accept" || action === "verify") {
    button.disabled = true;
    await act(id, action, {});
    button.disabled = false;
    return;
  }
  if (action === "arrive") {
    button.disabled = true;
    button.textContent = t("gettingPosition");
    const pos = await position();
    // The ticket API keeps positions as the arrival's note (its audit trail), language-neutral.
    const body = pos
      ? { note: `GPS ${pos.lat.toFixed(5)}, ${pos.lon.toFixed(5)} ±${Math.round(pos.accuracy)} m` }
      : {};
    if (!pos) toast(t("positionNone"));
    await act(id, "arrive", body);
    button.disabled = false;
    button.textContent = t("arrive");
    return;
  }
  if (action === "clear")
    return openDialog(
      `${t("clear")} #${id}`,
      html`${field("cause", `${t("cause")} *`, textarea("cause", true))}
        ${field("handling", `${t("handling")} *`, textarea("handling", true))}
        ${field("responsibility", `${t("responsibility")} *`, textarea("responsibility", true))}
        ${field("lessons", t("lessons"), textarea("lessons", false))}
        ${field("repairedAt", t("repairedAt"), html`<input type="datetime-local" name="repairedAt" id="in-repairedAt">`, `${t("defaultIs")} ${restoredAt ? `${t("restoredAt")} ${when(restoredAt)}` : t("submitTime")}`)}`,
      t("clear"),
      async (form) => {
        const cause = need(form, "cause");
        const handling = need(form, "handling");
        const responsibility = need(form, "responsibility");
        const lessons = form.elements.lessons.value.trim();
        const rawRepaired = form.elements.repairedAt.value;
        const repairedAt = rawRepaired ? fromLocalInput(rawRepaired) : null;
        if (rawRepaired && repairedAt === null) invalid(form, "repairedAt", t("invalidTime"));
        if (!cause || !handling || !responsibility || (rawRepaired && repairedAt === null)) return false;
        const body = { cause, handling, responsibility, ...(lessons ? { lessons } : {}) };
        if (repairedAt !== null) body.repairedAt = repairedAt;
        return act(id, "clear", body, form);
      },
    );
  if (action === "edit") return editRecord(id);
  if (action === "reject" || action === "comment")
    return openDialog(
      `${t(action)} #${id}`,
      field("note", `${t(action === "reject" ? "reason" : "text")} *`, textarea("note", true)),
      t(action),
      async (form) => {
        const note = need(form, "note");
        return note ? act(id, action, { note }, form) : false;
      },
    );
}

const recordFields = ["symptom", "faultType", "cause", "handling", "responsibility", "lessons", "handler"];

/** Edits the fault record (PATCH): only the fields changed, never blanking one. */
async function editRecord(id) {
  let current;
  try {
    const r = await get(paths.ticket(id));
    current = r.data?.ticket ?? r.data;
  } catch (err) {
    return toast(explain(err), true);
  }
  openDialog(
    `${t("edit")} #${id}`,
    html`${recordFields.map((k) =>
      field(
        k,
        t(k),
        html`<textarea name="${k}" id="in-${k}" maxlength="4000" rows="2">${current?.[k] ?? ""}</textarea>`,
      ),
    )}`,
    t("send"),
    async (form) => {
      const changes = {};
      let ok = true;
      for (const k of recordFields) {
        const v = form.elements[k].value.trim();
        const was = current?.[k] ?? "";
        if (v === was) continue;
        if (!v) ok = invalid(form, k, `${t(k)}: ${t("cannotBlank")}`);
        else changes[k] = v;
      }
      if (!ok) return false;
      if (Object.keys(changes).length === 0) {
        formError(form, t("nothingChanged"));
        return false;
      }
      try {
        await send("PATCH", paths.ticket(id), changes);
        toast(`${t("edit")} · ${t("saved")}`);
        render();
        return true;
      } catch (err) {
        formError(form, explain(err));
        return false;
      }
    },
  );
}

/** Declares a "deployed"-calendar site (the command vehicle, portable kits) deployed or stood down. */
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
        if (!ok) return;
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
        if (!ok) return;
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
