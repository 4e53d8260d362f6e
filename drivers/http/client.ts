/**
 * The narrow HTTP interface of the driver: GET a path of the device's API and get the text, with
 * auth, TLS options and the poll's AbortSignal, every failure a PollError with its context.
 * Uses the built-in fetch; an undici Agent carries the TLS options.
 */
import { readFileSync } from "node:fs";
import { Agent } from "undici";
import { PollError } from "../../src/core/errors.ts";
import { digestAuthorization, parseChallenge } from "./digest.ts";
import type { HttpOptions } from "./options.ts";

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
}

export interface HttpClient {
  /** GETs `path` (relative to the device url). Rejects with PollError; 2xx only resolves. */
  get(path: string, signal: AbortSignal, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** POSTs `body` to `path` (HiLink login); same errors as get(). */
  post(
    path: string,
    body: string,
    signal: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/** Largest body read; a device that sends more is answering something else. */
const MAX_BODY = 1 << 20;

const tlsCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

export function fetchError(err: unknown, context: string, signal: AbortSignal): PollError {
  if (err instanceof PollError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal.aborted || e.name === "AbortError" || e.name === "TimeoutError")
    return new PollError("timeout", `${context}: no complete answer before the deadline`, { cause: err });
  const code = e.cause?.code ?? "";
  const detail = `${code || e.message}${e.cause?.message ? `: ${e.cause.message}` : ""}`;
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(code))
    return new PollError("unreachable", `${context}: ${detail}`, { cause: err });
  if (tlsCodes.test(code))
    return new PollError(
      "config",
      `${context}: TLS certificate not accepted (${detail}); set tls.ca or tls.insecure`,
      {
        cause: err,
      },
    );
  if (/^HPE_|UND_ERR_SOCKET|UND_ERR_RES|ERR_INVALID/.test(code) || code === "")
    return new PollError("protocol", `${context}: not a valid HTTP answer (${detail})`, { cause: err });
  return new PollError("unreachable", `${context}: ${detail}`, { cause: err });
}

async function readText(res: Response, context: string): Promise<string> {
  const len = Number(res.headers.get("content-length") ?? 0);
  if (len > MAX_BODY) throw new PollError("protocol", `${context}: body of ${len} bytes is too large`);
  const text = await res.text();
  if (text.length > MAX_BODY) throw new PollError("protocol", `${context}: body too large`);
  return text;
}

export function createHttpClient(o: HttpOptions, target: string): HttpClient {
  const base = o.url.replace(/\/+$/, "");
  const dispatcher =
    o.tls && (o.tls.insecure || o.tls.ca)
      ? new Agent({
          connect: {
            rejectUnauthorized: !o.tls.insecure,
            ...(o.tls.ca ? { ca: readFileSync(o.tls.ca, "utf8") } : {}),
          },
        })
      : undefined;

  const authHeader = (): Record<string, string> => {
    if (o.auth?.type === "basic")
      return {
        authorization: `Basic ${Buffer.from(`${o.auth.username}:${o.auth.password.reveal()}`).toString("base64")}`,
      };
    if (o.auth?.type === "bearer") return { authorization: `Bearer ${o.auth.token.reveal()}` };
    return {};
  };

  const once = (url: string, signal: AbortSignal, headers: Record<string, string>, body?: string) =>
    fetch(url, {
      signal,
      headers,
      redirect: "manual",
      ...(body === undefined ? {} : { method: "POST", body }),
      ...(dispatcher ? { dispatcher } : {}),
    } as RequestInit);

  const send = async (
    path: string,
    signal: AbortSignal,
    extra: Record<string, string>,
    body?: string,
  ): Promise<HttpAnswer> => {
    const method = body === undefined ? "GET" : "POST";
    const url = `${base}${path}`;
    const context = `${target} ${method} ${path}`;
    try {
      let headers: Record<string, string>;
      try {
        headers = { accept: "application/json, text/xml;q=0.9", ...authHeader(), ...extra };
      } catch (err) {
        throw new PollError("config", `${context}: credential unavailable: ${(err as Error).message}`);
      }
      let res = await once(url, signal, headers, body);
      if (res.status === 401 && o.auth?.type === "digest") {
        const challenge = parseChallenge(res.headers.get("www-authenticate"));
        await res.body?.cancel();
        if (!challenge) throw new PollError("auth", `${context}: 401 without a Digest challenge`);
        const uri = new URL(url).pathname + new URL(url).search;
        const authorization = digestAuthorization(
          challenge,
          o.auth.username,
          o.auth.password.reveal(),
          "GET",
          uri,
        );
        res = await once(url, signal, { ...headers, authorization });
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new PollError("auth", `${context}: HTTP ${res.status}`);
      }
      if (res.status >= 500) {
        await res.body?.cancel();
        throw new PollError("device", `${context}: HTTP ${res.status}`);
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel();
        throw new PollError("protocol", `${context}: HTTP ${res.status}`, {
          cause: Object.assign(new Error(`HTTP ${res.status}`), { status: res.status }),
        });
      }
      return { status: res.status, text: await readText(res, context), headers: res.headers };
    } catch (err) {
      throw fetchError(err, context, signal);
    }
  };

  return {
    get: (path, signal, extra = {}) => send(path, signal, extra),
    post: (path, body, signal, extra = {}) => send(path, signal, extra, body),
    async close() {
      await dispatcher?.close();
    },
  };
}

/** The HTTP status behind a PollError the client threw for a non-2xx answer, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { cause?: { status?: unknown } } | null)?.cause?.status;
  return typeof status === "number" ? status : undefined;
}
