/**
 * The HiLink session and login of the simulated 5G CPE: SesTokInfo hands out a session and a
 * token; POST /api/user/login (password type 4) upgrades it to a logged-in session with a new
 * cookie and token. Status endpoints need a logged-in session (error 100003 otherwise, 125002
 * for a wrong token), as on 5G CPE firmware that requires login.
 */
import { randomBytes } from "node:crypto";
import { hilinkPassword } from "../../drivers/http/hilink.ts";

export interface SimAnswer {
  code: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${inner}\n`;
const error = (code: number): SimAnswer => ({
  code: 200,
  type: "text/xml",
  body: xml(`<error>\n<code>${code}</code>\n<message/>\n</error>`),
});

export class HilinkSim {
  private readonly sessions = new Map<string, { token: string; loggedIn: boolean }>();

  constructor(private readonly credentials: { username: string; password: string }) {}

  private open(loggedIn: boolean): [string, string] {
    const id = randomBytes(16).toString("hex");
    const token = randomBytes(16).toString("hex");
    this.sessions.set(id, { token, loggedIn });
    if (this.sessions.size > 200) this.sessions.delete(this.sessions.keys().next().value!);
    return [id, token];
  }

  /** The answer for session and login paths, an error for a refused session, or undefined to serve the path. */
  handle(
    path: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): SimAnswer | undefined {
    if (path === "/api/webserver/SesTokInfo") {
      const [id, token] = this.open(false);
      return {
        code: 200,
        type: "text/xml",
        body: xml(`<response>\n<SesInfo>SessionID=${id}</SesInfo>\n<TokInfo>${token}</TokInfo>\n</response>`),
      };
    }
    const id = /SessionID=(\w+)/.exec(String(headers.cookie ?? ""))?.[1];
    const session = id ? this.sessions.get(id) : undefined;
    if (!session || headers.__requestverificationtoken !== session.token) return error(125002);
    if (path === "/api/user/login") {
      const user = /<Username>([^<]*)<\/Username>/.exec(body)?.[1];
      const pass = /<Password>([^<]*)<\/Password>/.exec(body)?.[1];
      const { username, password } = this.credentials;
      if (user !== username || pass !== hilinkPassword(username, password, session.token))
        return error(108006);
      this.sessions.delete(id!);
      const [next, token] = this.open(true);
      return {
        code: 200,
        type: "text/xml",
        body: xml("<response>OK</response>"),
        headers: {
          "set-cookie": `SessionID=${next}; path=/; HttpOnly`,
          __RequestVerificationTokenone: token,
        },
      };
    }
    return session.loggedIn ? undefined : error(100003);
  }

  /** Forgets every session (the CPE rebooted), so clients must log in again. */
  reset(): void {
    this.sessions.clear();
  }
}
