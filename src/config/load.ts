/**
 * Reading a config file: YAML (or JSON, which is YAML) → validated Config, with every problem
 * reported at once as file:line:column key.path: what was expected (got value).
 */
import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "../core/errors.ts";
import { type Config, configSchema } from "./schema.ts";

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `a readable file (${(err as Error).message})` }]);
  }
  return parseConfigText(text, file);
}

/** Parses and validates config text. Pure: no I/O. */
export function parseConfigText(text: string, file = "<config>"): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          path: "",
          message: `valid YAML: ${e.message.split("\n")[0]}`,
          line: pos.line,
          column: pos.col,
        };
      }),
    );
  }
  return validateConfig(doc.toJS(), file, (path) => locate(doc, lineCounter, path));
}

/** Validates a config object (already parsed, e.g. built by the demo). Pure: no I/O. */
export function validateConfig(
  value: unknown,
  file = "<config>",
  position: (path: PropertyKey[]) => { line: number; column: number } | undefined = () => undefined,
): Config {
  const result = configSchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    result.error.issues
      .map((issue) => toConfigIssue(issue, position))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  );
}

function toConfigIssue(
  issue: z.core.$ZodIssue,
  position: (path: PropertyKey[]) => { line: number; column: number } | undefined,
): ConfigIssue {
  const path = issue.path;
  let message = issue.message;
  if (issue.code === "unrecognized_keys")
    message = `no key ${issue.keys.map((k) => `"${k}"`).join(", ")} here`;
  else if (issue.code === "invalid_type" && issue.input === undefined) message = `required: ${message}`;
  const fullPath = issue.code === "unrecognized_keys" ? [...path, issue.keys[0]!] : path;
  const out: ConfigIssue = { path: formatPath(path), message, ...position(fullPath) };
  if (issue.input !== undefined && issue.code !== "unrecognized_keys") out.value = preview(issue.input);
  return out;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function locate(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: PropertyKey[],
): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}
