// Small rendering helpers: an escaping template tag (every interpolated value is text unless it is
// itself the result of `html`), time formatting in the contract's zone, and durations.
import { getLang, t } from "./i18n.js";

class Html {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

const escapes = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => escapes[c]);

function part(v) {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join("");
  if (v === null || v === undefined || v === false) return "";
  return esc(v);
}

/** html`<b>${text}</b>`: escapes the values; arrays and nested html are joined as they are. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

export const raw = (text) => new Html(text);

/** A time value from the API (ms since epoch or an ISO string) as ms, or null. */
export function ms(v) {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v;
  const n = Date.parse(v);
  return Number.isFinite(n) ? n : null;
}

const zone = "Asia/Shanghai";
const fmtCache = new Map();
function fmt(kind) {
  const key = `${getLang()}:${kind}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(getLang() === "zh" ? "zh-CN" : "en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      ...(kind === "full"
        ? { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }
        : { hour: "2-digit", minute: "2-digit" }),
    });
    fmtCache.set(key, f);
  }
  return f;
}

/** "11-24 20:58:03" in the contract's zone (Beijing time), or "—". */
export function when(v) {
  const n = ms(v);
  return n === null ? "—" : fmt("full").format(n);
}

/** 75_000 → "1:15", 4_000_000 → "1:06:40"; negative values keep their sign. */
export function clockText(msLeft) {
  const sign = msLeft < 0 ? "-" : "";
  let s = Math.floor(Math.abs(msLeft) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (x) => String(x).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
}

/** "3 min", "2 h 5 min", "4 d" — how old something is, for the offline banner. */
export function age(msOld) {
  const m = Math.round(msOld / 60000);
  if (msOld < 45_000) return t("now");
  const zh = getLang() === "zh";
  if (m < 60) return zh ? `${m} 分钟${t("ago")}` : `${m} min ${t("ago")}`;
  const h = Math.floor(m / 60);
  if (h < 48) return zh ? `${h} 小时 ${m % 60} 分钟${t("ago")}` : `${h} h ${m % 60} min ${t("ago")}`;
  const d = Math.floor(h / 24);
  return zh ? `${d} 天${t("ago")}` : `${d} d ${t("ago")}`;
}

/** The value of a `datetime-local` input read as Beijing time, in ms; null when empty or invalid. */
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? "");
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +(m[6] ?? 0));
}

/** ms → a `datetime-local` value in Beijing time. */
export function toLocalInput(n) {
  const d = new Date(n + 8 * 3600_000);
  return d.toISOString().slice(0, 16);
}
