/**
 * A self-signed certificate for 127.0.0.1, made by openssl (/usr/bin/openssl, Debian's), for tests
 * of a TLS client against a local server. Valid two days; the caller owns `dir` and removes it.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Writes key.pem and cert.pem (CN and subjectAltName 127.0.0.1) into `dir`; returns their paths. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "/usr/bin/openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"].concat([
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ]),
    { stdio: "ignore" },
  );
  return { key, cert };
}
