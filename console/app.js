// The duty console: state, routing (#/ tickets, #/t/<id> one ticket, #/devices, #/new,
// #/windows, #/reports; #/inspections, #/i/<id>; #/plans[/<month>], #/p/<id>; #/register, #/activities,
// #/callbacks [/<month>]), the header, and the live stream. The views are in views.js (with the
// one-second countdown), tickets.js and overview.js; the forms in actions.js and forms.js.
//
// console/ is the browser side of the duty console: plain ES modules, HTML and CSS served as
// static files by src/duty-console/routes.ts, no bundler, no build step; api.js is the only door to
// the daemon. May import: its own files only (./*.js); nothing from src/, no npm packages.
import { ApiError, followEvents, get, token } from "./api.js";
import { age, html } from "./dom.js";
import { openSignIn, openSignOut } from "./forms.js";
import { getLang, setLang, t } from "./i18n.js";
import { paths } from "./paths.js";
import { tick, views, wide } from "./views.js";

/** Shared page state; views read it, loaders fill it. */
export const state = {
  me: null,
  live: "connecting",
  route: { name: "tickets", id: null },
  /** The device of the ticket on screen, for its live state changes. */
  focusDevice: null,
  stale: null,
};

const $ = (sel) => document.querySelector(sel);

export function toast(message, bad = false) {
  const el = $("#toast");
  el.textContent = message;
  el.className = bad ? "toast bad" : "toast";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), bad ? 7000 : 3500);
}

/** The message to show for a failed request (HTTP status and the server's words). */
export function explain(err) {
  if (!(err instanceof ApiError)) return `${t("networkError")} (${err?.message ?? err})`;
  if (err.status === 0) return t("networkError");
  if (err.status === 401) return t("needToken");
  if (err.status === 403) return `${t("forbidden")}: ${err.message}`;
  if (err.status >= 500) return `${t("serverError")}: ${err.message}`;
  const issues = Array.isArray(err.body?.issues) ? ` (${err.body.issues.join("; ")})` : "";
  return `${err.message}${issues}`;
}

/** Loads `path` for a view, noting when the answer is an offline copy. */
export async function load(path) {
  const r = await get(path);
  if (r.stale) state.stale = Math.min(state.stale ?? r.savedAt, r.savedAt);
  return r.data;
}

function parseRoute() {
  const h = location.hash.replace(/^#\/?/, "");
  const [name, id] = h.split("/");
  if (name === "t" && id) return { name: "ticket", id };
  if (name === "i" && id) return { name: "inspection", id };
  if (name === "p" && id) return { name: "plan", id };
  if (["plans", "register", "activities", "callbacks"].includes(name)) return { name, id: id ?? null };
  if (["devices", "new", "windows", "reports", "inspections"].includes(name)) return { name, id: null };
  return { name: "tickets", id: null };
}

let rendering = 0;
/** Renders the current route; later calls supersede earlier ones still loading. */
export async function render() {
  const my = ++rendering;
  state.route = parseRoute();
  state.stale = null;
  for (const a of document.querySelectorAll(".tabs a")) {
    const on =
      a.dataset.tab === state.route.name ||
      (a.dataset.tab === "tickets" && state.route.name === "ticket") ||
      (a.dataset.tab === "inspections" && state.route.name === "inspection") ||
      (a.dataset.tab === "plans" && state.route.name === "plan");
    if (on) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = $("#main");
  try {
    const out = await views[state.route.name](state.route.id);
    if (my !== rendering) return;
    const focus = document.activeElement?.id;
    main.innerHTML = String(out.html);
    out.mount?.(main);
    if (focus) document.getElementById(focus)?.focus();
  } catch (err) {
    if (my !== rendering) return;
    main.innerHTML = String(html`<p class="error">${explain(err)}</p>`);
  }
  shell();
  tick();
}

/** Header and banner: language, who is signed in, live/offline and the data's age. */
export function shell() {
  document.documentElement.lang = getLang() === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("#lang").textContent = t("lang");
  const who = $("#who");
  who.textContent = state.me ? state.me.name : t("signIn");
  who.title = state.me ? `${t(`role_${state.me.role}`)} · ${t("signOut")}` : t("signIn");
  who.dataset.role = state.me?.role ?? "";
  const live = $("#live");
  live.className = `live ${state.live}`;
  live.textContent = t(state.live);
  const banner = $("#banner");
  if (state.stale !== null) {
    banner.hidden = false;
    banner.textContent = `${t("offline")} — ${t("lastData")} ${age(Date.now() - state.stale)}`;
  } else if (!state.me) {
    banner.hidden = false;
    banner.textContent = t("notSignedIn");
  } else banner.hidden = true;
}

/** Who the token belongs to; null (read-only) without a token or when it is refused. */
export async function whoAmI() {
  if (!token.get()) {
    state.me = null;
    return;
  }
  try {
    const r = await get(paths.me);
    state.me = r.data?.role ? { name: r.data.name, role: r.data.role } : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      token.clear();
      toast(t("badToken"), true);
    }
    state.me = null;
  }
}

/** A live refresh: deferred while a dialog is open (it would lose nothing, but the list would move). */
/** Views with a form the user may be filling in: never replaced by a live refresh. */
const formView = () =>
  [
    "new",
    "windows",
    "inspection",
    "inspections",
    "plans",
    "plan",
    "register",
    "activities",
    "callbacks",
  ].includes(state.route.name);

let deferred = false;
function refresh() {
  // The route may have changed to a form since the refresh was scheduled.
  if (formView()) return;
  const d = $("#dialog");
  if (d.open) {
    if (!deferred) {
      deferred = true;
      d.addEventListener(
        "close",
        () => {
          deferred = false;
          render();
        },
        { once: true },
      );
    }
    return;
  }
  render();
}

/** Whether a live event changes what the current view shows (forms in progress: never). */
function concerns(type, data) {
  const r = state.route.name;
  if (formView()) return false;
  if (r === "tickets" || r === "reports") return type === "ticket";
  if (r === "ticket")
    return (
      (type === "ticket" && (wide() || String(data?.ticket) === String(state.route.id))) ||
      (type === "state" && data?.device === state.focusDevice)
    );
  if (r === "devices") return type === "state" || type === "windows";
  return true;
}

let stream = null;
let refreshTimer = null;
/** (Re)opens the live stream; every event re-renders the current view (coalesced to 300 ms). */
function follow() {
  stream?.stop();
  state.live = "connecting";
  stream = followEvents(
    (type, data) => {
      if (!concerns(type, data)) return;
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refresh, 300);
    },
    (s) => {
      const was = state.live;
      state.live = s;
      // Back online: re-read what may have changed meanwhile (forms in progress are left alone).
      if (s === "online" && was !== "online" && !formView()) refresh();
      else shell();
    },
  );
}

export async function signedIn() {
  await whoAmI();
  follow();
  await render();
}

async function start() {
  setLang(getLang());
  $("#lang").addEventListener("click", () => {
    setLang(getLang() === "zh" ? "en" : "zh");
    render();
  });
  $("#who").addEventListener("click", async () => {
    if (state.me) openSignOut();
    else openSignIn();
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("online", follow);
  setInterval(tick, 1000);
  // Without the live stream (a proxy that buffers it, a weak link), re-read every 30 s instead.
  setInterval(() => {
    if (state.live !== "online" && !formView() && navigator.onLine) refresh();
  }, 30_000);
  setInterval(shell, 30_000);
  if ("serviceWorker" in navigator && window.isSecureContext)
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  await signedIn();
}

start();
