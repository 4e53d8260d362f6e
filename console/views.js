// The views by route, the inventory they share (names of sites and devices), and the one-second
// countdown of every clock on the page.

import { serverNow } from "./api.js";
import { load, render, state } from "./app.js";
import { clockText } from "./dom.js";
import { manualForm, windowsForm } from "./forms.js";
import { t } from "./i18n.js";
import { clockClass } from "./model.js";
import { devicesView, reportsView } from "./overview.js";
import { paths } from "./paths.js";
import { ticketsView, ticketView } from "./tickets.js";

let warnFraction = 0.25;

/**
 * Devices and sites, by id, for names: read once per page load (the inventory changes only with a
 * daemon restart; ~20 kB is too much to re-read on every live update over a weak link).
 */
let inventoryOnce = null;
export function inventory() {
  inventoryOnce ??= loadInventory().catch((err) => {
    inventoryOnce = null;
    throw err;
  });
  return inventoryOnce;
}

async function loadInventory() {
  const meta = await load(paths.meta);
  const devices = new Map();
  const sites = new Map();
  for (const s of meta?.sites ?? []) sites.set(s.id, s.name ?? s.id);
  for (const d of meta?.devices ?? []) {
    devices.set(d.id, d);
    if (!sites.has(d.site)) sites.set(d.site, d.site);
  }
  if (typeof meta?.warnRemaining === "number") warnFraction = meta.warnRemaining;
  return { devices, sites };
}

/** A desk monitor: wide enough for the list beside a ticket. */
export const wide = () => matchMedia("(min-width: 1200px)").matches;

/**
 * A view of a module loaded when it is first opened: the maintenance records' views stay out of the
 * page's first load (the ticket views are what a weak link must bring fast); the service worker
 * keeps them once fetched.
 */
const later = (load, name) => async (id) => (await load())[name](id);
const records = () => import("./records.js");
const plans = () => import("./plans.js");
const register = () => import("./register.js");
const activities = () => import("./activities.js");

export const views = {
  tickets: ticketsView,
  ticket: ticketView,
  devices: devicesView,
  new: async () => manualForm(await inventory()),
  windows: async () => windowsForm(await inventory()),
  reports: reportsView,
  inspections: later(records, "inspectionsView"),
  inspection: later(records, "inspectionView"),
  plans: later(plans, "plansView"),
  plan: later(plans, "planView"),
  register: later(register, "registerView"),
  activities: later(activities, "activitiesView"),
  callbacks: later(activities, "callbacksView"),
};

/** The one-second countdown: text and colour of every clock on the page. */
export function tick() {
  const now = serverNow();
  let resort = false;
  for (const el of document.querySelectorAll(".clock[data-deadline]")) {
    const k = {
      deadline: Number(el.dataset.deadline),
      stoppedAt: el.dataset.stopped ? Number(el.dataset.stopped) : null,
      total: el.dataset.total ? Number(el.dataset.total) : null,
    };
    const cls = clockClass(k, now, warnFraction);
    // A clock just breached: the list's order (breached first) changes, so re-sort it.
    const was = el.classList;
    if (cls === "breach" && (was.contains("ok") || was.contains("warn")) && state.route.name === "tickets")
      resort = true;
    const left = k.deadline - (k.stoppedAt ?? now);
    el.className = `clock ${cls}`;
    const span = el.querySelector("span");
    const text =
      k.stoppedAt !== null
        ? left < 0
          ? `${t("breached")} ${clockText(-left)}`
          : `${t("met")} ${k.total ? clockText(k.stoppedAt - (k.deadline - k.total)) : ""}`.trim()
        : left < 0
          ? `${t("over")} ${clockText(-left)}`
          : clockText(left);
    if (span.textContent !== text) span.textContent = text;
    el.dataset.left = String(Math.round(left / 1000));
  }
  if (resort) render();
}
