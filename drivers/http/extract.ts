/**
 * Pure reading of HTTP answers: JSON paths, HiLink's flat XML, number-ish strings. Every
 * failure is a PollError: protocol when the body is not what the format says, decode when it is
 * well formed but does not match the profile.
 */
import { PollError } from "../../src/core/errors.ts";
import type { Sample } from "../../src/core/types.ts";
import type { HttpEndpoint } from "./profile.ts";

/** The value at `path` ("a.b[0].c") in `doc`, or undefined. */
export function jsonPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[m[1]];
    }
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(idx[1])];
    }
  }
  return cur;
}

/** "-95dBm" → -95, ">=-51dBm" → -51, "12.5" → 12.5, "n/a" → undefined. */
export function numberish(v: unknown): number | undefined {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^\s*[<>=]*\s*(-?\d+(?:\.\d+)?)\s*[A-Za-z%]*\s*$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/**
 * HiLink answers: `<response><rsrp>-95dBm</rsrp>…</response>` (one level of elements), or
 * `<error><code>125002</code>…</error>`. Returns the root's name and its children's text.
 */
export function parseFlatXml(text: string): { root: string; fields: Record<string, string> } {
  const body = text.replace(/^\s*<\?xml[^>]*\?>/, "").trim();
  const root = /^<([A-Za-z_][\w.-]*)\s*>([\s\S]*)<\/\1>$/.exec(body);
  if (!root) throw new SyntaxError("not an XML document with one root element");
  const fields: Record<string, string> = {};
  for (const m of root[2]!.matchAll(/<([A-Za-z_][\w.-]*)\s*(?:\/>|>([^<]*)<\/\1>)/g))
    fields[m[1]!] = decode(m[2] ?? "");
  return { root: root[1]!, fields };
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** HiLink error codes that mean the session or credentials were refused. */
const hilinkAuthCodes = new Set(["100003", "125001", "125002", "125003", "108003", "108006", "108007"]);

/** The parsed document of one endpoint's body, as `format` says; throws PollError protocol/auth/device. */
export function parseBody(text: string, format: HttpEndpoint["format"], context: string): unknown {
  if (format === "json") {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new PollError("protocol", `${context}: invalid JSON (${(err as Error).message})`, { cause: err });
    }
  }
  let xml: ReturnType<typeof parseFlatXml>;
  try {
    xml = parseFlatXml(text);
  } catch (err) {
    throw new PollError("protocol", `${context}: invalid XML (${(err as Error).message})`, { cause: err });
  }
  if (xml.root === "error") {
    const code = xml.fields.code ?? "?";
    throw new PollError(hilinkAuthCodes.has(code) ? "auth" : "device", `${context}: device error ${code}`);
  }
  return xml.fields;
}

/** Samples of one endpoint's document; a required field missing or not a number is a decode error. */
export function extractSamples(doc: unknown, endpoint: HttpEndpoint, context: string): Sample[] {
  const samples: Sample[] = [];
  for (const f of endpoint.fields) {
    const raw = endpoint.format === "xml" ? (doc as Record<string, string>)[f.path] : jsonPath(doc, f.path);
    let value: number | undefined;
    if (raw === undefined || raw === null || raw === "") value = undefined;
    else if (f.anyOf) value = f.anyOf.some((a) => String(a) === String(raw)) ? 1 : 0;
    else value = numberish(raw);
    if (value === undefined) {
      if (f.optional) continue;
      throw new PollError(
        "decode",
        `${context}: ${f.path} ${raw === undefined ? "is missing" : `is not a number (${JSON.stringify(raw).slice(0, 40)})`}`,
      );
    }
    if (f.scale !== undefined) value *= f.scale;
    samples.push({ metric: f.metric, value, ...(f.labels ? { labels: f.labels } : {}) });
  }
  return samples;
}
