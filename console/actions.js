// The ticket's actions: one tap for accept, arrive (with the phone's position) and verify; a short
// form for clear, reject, comment and editing the fault record. The server decides; its refusals
// (400 bad input, 403 role, 409 someone acted first) are shown where the user is looking.
import { ApiError, get, send, token } from "./api.js";
import { explain, render, toast } from "./app.js";
import { field, formError, invalid, need, openDialog, textarea } from "./dialog.js";
import { fromLocalInput, html, when } from "./dom.js";
import { t } from "./i18n.js";
import { paths } from "./paths.js";

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
