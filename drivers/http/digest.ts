/** HTTP Digest access authentication (RFC 7616 with MD5, qop=auth, as embedded devices use it). Pure. */
import { createHash, randomBytes } from "node:crypto";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** The parameters of a `WWW-Authenticate: Digest …` challenge, or undefined if it is not Digest. */
export function parseChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Digest\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? "";
  return params;
}

/** The Authorization header answering `challenge` for a GET of `uri`. */
export function digestAuthorization(
  challenge: Record<string, string>,
  user: string,
  password: string,
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString("hex"),
  nc = "00000001",
): string {
  const { realm = "", nonce = "", opaque, qop } = challenge;
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const useQop = qop
    ?.split(",")
    .map((q) => q.trim())
    .includes("auth")
    ? "auth"
    : undefined;
  const response = useQop
    ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${useQop}:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [
    `username="${user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    `algorithm=MD5`,
  ];
  if (useQop) parts.push(`qop=${useQop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (opaque !== undefined) parts.push(`opaque="${opaque}"`);
  return `Digest ${parts.join(", ")}`;
}
