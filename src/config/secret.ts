import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { z } from "zod";

/**
 * A credential from the config: a `${ENV_NAME}` reference, `{ env: NAME }`, `{ file: PATH }`
 * (Docker/systemd secrets), or, for lab use, a literal. Validation stores only the reference; the
 * value is read when a driver asks for it with reveal(). A Secret prints as "[redacted]" in logs,
 * JSON and inspect(), so it can travel inside config objects safely.
 */
export class Secret {
  constructor(private readonly ref: { env: string } | { file: string } | { literal: string }) {}

  /** The value. Throws an Error naming the variable or file when it cannot be read. */
  reveal(env: NodeJS.ProcessEnv = process.env): string {
    if ("literal" in this.ref) return this.ref.literal;
    if ("env" in this.ref) {
      const value = env[this.ref.env];
      if (value === undefined) throw new Error(`environment variable ${this.ref.env} is not set`);
      return value;
    }
    try {
      return readFileSync(this.ref.file, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new Error(`secret file ${this.ref.file} cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Where the value comes from, safe to print: "env EMCOMM_TOKEN", "file /run/secrets/x", "literal". */
  describe(): string {
    if ("env" in this.ref) return `env ${this.ref.env}`;
    if ("file" in this.ref) return `file ${this.ref.file}`;
    return "literal";
  }

  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "[redacted]";
  }
}

const envReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export const secretSchema = z
  .union([
    z.string().min(1, "a non-empty string, ${ENV_NAME}, {env: NAME} or {file: PATH}"),
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name") }),
    z.strictObject({ file: z.string().min(1, "a file path") }),
  ])
  .transform((input) => {
    if (typeof input === "string") {
      const m = envReference.exec(input);
      return new Secret(m ? { env: m[1]! } : { literal: input });
    }
    return new Secret(input);
  })
  .meta({
    description: "A credential: ${ENV_NAME}, {env: NAME}, {file: PATH}, or a literal (lab use only).",
  });

/** Every Secret inside a validated config, with its key path, for `config check` to try reading. */
export function findSecrets(value: unknown, path = ""): { path: string; secret: Secret }[] {
  if (value instanceof Secret) return [{ path, secret: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => findSecrets(v, path ? `${path}.${k}` : k));
  return [];
}

/**
 * Every secret of a config that cannot be read now, one line each with its key path and where it
 * comes from (never a value). `emcomm run` refuses to start on any; `config check --secrets`
 * reports the same list.
 */
export function unreadableSecrets(config: unknown): string[] {
  return findSecrets(config).flatMap(({ path, secret }) => {
    try {
      secret.reveal();
      return [];
    } catch (err) {
      return [`  ${path}: ${(err as Error).message} (${secret.describe()})`];
    }
  });
}
