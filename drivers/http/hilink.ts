/**
 * Huawei HiLink sessions (huawei-lte-api, obsy/packages huawei_hilink.sh): a session cookie and a
 * CSRF token from GET /api/webserver/SesTokInfo; where the firmware asks for it, a login
 * (POST /api/user/login, password type 4) that returns a new cookie and token. The session is
 * kept across polls and renewed when the device refuses it.
 */
import { createHash } from "node:crypto";
import { PollError } from "../../src/core/errors.ts";
import type { HttpClient } from "./client.ts";
import { parseBody, parseFlatXml } from "./extract.ts";

/** Password type 4: base64(sha256hex(user + base64(sha256hex(password)) + token)). Pure. */
export function hilinkPassword(username: string, password: string, token: string): string {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return b64(sha(username + b64(sha(password)) + token));
}

export class HilinkSession {
  private current: Record<string, string> | undefined;

  constructor(
    private readonly client: HttpClient,
    private readonly target: string,
    private readonly login?: { username: string; password: () => string },
  ) {}

  /** Whether the next headers() reuses a session (so an auth failure may be a stale session). */
  get cached(): boolean {
    return this.current !== undefined;
  }

  invalidate(): void {
    this.current = undefined;
  }

  /** Headers that carry the session: cookie and __RequestVerificationToken. */
  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    if (this.current) return this.current;
    const path = "/api/webserver/SesTokInfo";
    const { text } = await this.client.get(path, signal);
    let fields: Record<string, string>;
    try {
      fields = parseFlatXml(text).fields;
    } catch (err) {
      throw new PollError("protocol", `${this.target} GET ${path}: invalid XML`, { cause: err });
    }
    if (!fields.SesInfo || !fields.TokInfo)
      throw new PollError("decode", `${this.target} GET ${path}: no SesInfo/TokInfo`);
    let session: Record<string, string> = {
      cookie: fields.SesInfo,
      __RequestVerificationToken: fields.TokInfo,
    };
    if (this.login) session = await this.signIn(session, signal);
    this.current = session;
    return session;
  }

  private async signIn(
    session: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Record<string, string>> {
    const { username } = this.login!;
    let password: string;
    try {
      password = this.login!.password();
    } catch (err) {
      throw new PollError("config", `${this.target}: HiLink password unavailable: ${(err as Error).message}`);
    }
    const token = session.__RequestVerificationToken!;
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><request>' +
      `<Username>${escapeXml(username)}</Username><Password>${hilinkPassword(username, password, token)}</Password>` +
      "<password_type>4</password_type></request>";
    const path = "/api/user/login";
    const answer = await this.client.post(path, body, signal, {
      ...session,
      "content-type": "application/xml",
    });
    parseBody(answer.text, "xml", `${this.target} POST ${path}`); // throws auth on 108006 and kin
    const cookie = /SessionID=[^;]+/.exec(answer.headers.get("set-cookie") ?? "")?.[0] ?? session.cookie!;
    const next =
      answer.headers.get("__requestverificationtokenone") ??
      answer.headers.get("__requestverificationtoken")?.split("#")[0] ??
      token;
    return { cookie, __RequestVerificationToken: next };
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
