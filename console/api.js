// The console's only door to the daemon: JSON over /api/v1 with the bearer token of this tab
// (sessionStorage, so it leaves with the tab), the server's clock offset from the Date header, and
// the last good answer of every GET kept in localStorage to show, with its age, when offline.

const TOKEN = "emcomm.token";
const CACHE = "emcomm.cache.";

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN) ?? "",
  set: (value) => sessionStorage.setItem(TOKEN, value),
  clear: () => sessionStorage.removeItem(TOKEN),
};

/**
 * Server time minus local time, in ms: from the event stream's hello (ms precision) when there is
 * one, else from the latest response's Date header (whole seconds: ±0.5 s).
 */
let skew = 0;
let precise = false;
export const serverNow = () => Date.now() + skew;

/** This month "YYYY-MM" in the contract's zone (Beijing time), by the server's clock. */
export const serverMonth = () => new Date(serverNow() + 8 * 3600_000).toISOString().slice(0, 7);

function noteDate(res) {
  if (precise) return;
  const date = Date.parse(res.headers.get("date") ?? "");
  if (Number.isFinite(date)) skew = date + 500 - Date.now();
}

function noteServerTime(at) {
  if (typeof at !== "number") return;
  skew = at - Date.now();
  precise = true;
}

function headers(extra = {}) {
  const h = { accept: "application/json", ...extra };
  const tk = token.get();
  if (tk) h.authorization = `Bearer ${tk}`;
  return h;
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    const message = (body && (body.error || body.message)) || `HTTP ${res.status}`;
    throw new ApiError(res.status, String(message), body);
  }
  return body;
}

/**
 * GET `path`. Resolves { data, savedAt, stale }: fresh from the server (stale false), or, when
 * the network fails, the cached copy with the time it was fetched (stale true). Rejects with
 * ApiError on an HTTP error, or with the network error when there is nothing cached.
 */
export async function get(path) {
  try {
    const res = await fetch(path, { headers: headers(), cache: "no-store" });
    noteDate(res);
    const data = await parse(res);
    const savedAt = Date.now();
    try {
      localStorage.setItem(CACHE + path, JSON.stringify({ savedAt, data }));
    } catch {
      // Storage full: the page still works online.
    }
    return { data, savedAt, stale: false };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const cached = cachedGet(path);
    if (cached) return { ...cached, stale: true };
    throw err;
  }
}

export function cachedGet(path) {
  try {
    const raw = localStorage.getItem(CACHE + path);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** POST/PUT/PATCH `body` as JSON; never retried, never cached. */
export async function send(method, path, body) {
  if (!token.get()) throw new ApiError(401, "no token");
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers({ "content-type": "application/json" }),
      body: JSON.stringify(body ?? {}),
    });
  } catch (err) {
    throw new ApiError(0, String(err?.message ?? err));
  }
  noteDate(res);
  return parse(res);
}

/**
 * Follows GET /api/v1/events (server-sent events) with the Authorization header, which
 * EventSource cannot send: a fetch stream parsed by hand. Calls onEvent(type, data) per event and
 * onStatus("online"|"offline"); reconnects after `retry` ms until stop() is called.
 */
export function followEvents(onEvent, onStatus) {
  let stopped = false;
  let controller = null;
  let retry = 3000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch("/api/v1/events", {
          headers: headers({ accept: "text/event-stream" }),
          signal: controller.signal,
          cache: "no-store",
        });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onStatus("online");
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let type = "message";
            let data = "";
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) type = line.slice(6).trim();
              else if (line.startsWith("data:")) data += line.slice(5).trim();
              else if (line.startsWith("retry:")) retry = Number(line.slice(6)) || retry;
            }
            if (data) {
              try {
                const parsed = JSON.parse(data);
                if (type === "hello") noteServerTime(parsed.at);
                onEvent(type, parsed);
              } catch {
                // A malformed event is ignored; the next full refresh corrects the page.
              }
            }
            cut = buffer.indexOf("\n\n");
          }
        }
      } catch {
        // fall through to reconnect
      }
      if (stopped) return;
      onStatus("offline");
      await new Promise((r) => setTimeout(r, retry));
    }
  };
  run();
  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
