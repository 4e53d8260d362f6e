/**
 * Layers point one way: the core (src/) knows the drivers only through drivers/index.ts, never a
 * protocol's folder, and never imports the simulators (the demo lives with them and the CLI loads
 * it lazily); src/core/ imports nothing else of src/. Driver profiles take their shorthands from
 * drivers/shared/, not from another protocol's folder. The real peers (peers/) serve tests and
 * benches only, and benches import no test code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(new URL("../", import.meta.url).pathname);

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f));
}

/** Every module a file names, static or dynamic, as a path from the repository root. */
function importsOf(file: string, text = readFileSync(join(root, file), "utf8")) {
  const found: { target: string; dynamic: boolean }[] = [];
  const patterns = [
    { re: /^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']/gm, dynamic: false },
    { re: /^\s*import\s*["']([^"']+)["']/gm, dynamic: false },
    { re: /\bimport\(\s*["']([^"']+)["']\s*\)/g, dynamic: true },
  ];
  for (const { re, dynamic } of patterns)
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) continue;
      found.push({ target: relative(root, resolve(root, dirname(file), spec)), dynamic });
    }
  return found;
}

/** Every import of `files` that `forbidden` names, as "file -> target". */
function importsWhere(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .map(({ target }) => target)
      .filter(forbidden)
      .map((target) => `${file} -> ${target}`),
  );
}

/** What src/ may not import: the simulators, and any driver file but the registry list. */
function forbiddenForCore(target: string): boolean {
  return target.startsWith("simulators/") || (target.startsWith("drivers/") && target !== "drivers/index.ts");
}

/** The CLI's `demo` command loads the demo (and with it the simulators) only when it runs. */
const LAZY = new Set(["src/cli.ts -> simulators/demo.ts"]);

describe("layers", () => {
  it("no file under src/ imports the simulators or a protocol folder of drivers/", () => {
    const violations = sourcesUnder("src").flatMap((file) =>
      importsOf(file)
        .filter(({ target }) => forbiddenForCore(target))
        .map(({ target, dynamic }) => ({ edge: `${file} -> ${target}`, dynamic }))
        .filter(({ edge, dynamic }) => !(dynamic && LAZY.has(edge)))
        .map(({ edge }) => edge),
    );
    expect(violations).toEqual([]);
  });

  it("the CLI loads the demo lazily, and the demo's assembly lives with the simulators", () => {
    expect(importsOf("src/cli.ts")).toContainEqual({ target: "simulators/demo.ts", dynamic: true });
    expect(importsOf("src/cli.ts").filter((i) => i.target.startsWith("simulators/") && !i.dynamic)).toEqual(
      [],
    );
  });

  it("driver profiles take their shorthands from drivers/shared/, not from another protocol", () => {
    // drivers/index.ts lists every protocol by design; the rule is for the protocols' own folders.
    const inFolders = sourcesUnder("drivers").filter((f) => f.split("/").length > 2);
    const crossing = inFolders.flatMap((file) => {
      const own = file.split("/")[1];
      return importsOf(file)
        .map(({ target }) => target)
        .filter((t) => t.startsWith("drivers/") && t.split("/").length > 2)
        .filter((t) => {
          const folder = t.split("/")[1];
          return folder !== own && folder !== "shared";
        })
        .map((t) => `${file} -> ${t}`);
    });
    expect(crossing).toEqual([]);
  });

  it("drivers import neither the simulators nor test code, tests aside", () => {
    const code = sourcesUnder("drivers").filter((f) => !f.endsWith(".test.ts"));
    expect(importsWhere(code, (t) => t.startsWith("simulators/") || t.startsWith("test/"))).toEqual([]);
  });

  it("each top-level folder's README says what lives there and what it may import", () => {
    for (const dir of [
      "src",
      "drivers",
      "simulators",
      "peers",
      "grafana",
      "test",
      "bench",
      "scripts",
      "config",
    ]) {
      const readme = readFileSync(join(root, dir, "README.md"), "utf8");
      expect(readme, dir).toMatch(new RegExp(`^# ${dir}/`));
      expect(readme, dir).toMatch(/May import|Imports nothing/);
    }
    // The page's folder holds only what the browser loads: its opening comment is in app.js.
    const app = readFileSync(join(root, "console/app.js"), "utf8").split("\n");
    const opening = app
      .slice(
        0,
        app.findIndex((l) => !l.startsWith("//")),
      )
      .join("\n");
    expect(opening).toMatch(/May import:/);
  });

  it("src/core/ imports nothing outside src/core/", () => {
    expect(importsWhere(sourcesUnder("src/core"), (t) => !t.startsWith("src/core/"))).toEqual([]);
  });

  it("src/, drivers/ and simulators/ import no peers/, tests aside", () => {
    const code = ["src", "drivers", "simulators"]
      .flatMap(sourcesUnder)
      .filter((f) => !f.endsWith(".test.ts"));
    expect(importsWhere(code, (t) => t.startsWith("peers/"))).toEqual([]);
  });

  it("bench/ imports no test code, and peers/ imports nothing of the repository", () => {
    expect(importsWhere(sourcesUnder("bench"), (t) => t.startsWith("test/"))).toEqual([]);
    expect(importsWhere(sourcesUnder("peers"), (t) => !t.startsWith("peers/"))).toEqual([]);
  });

  it("test/ mirrors the code: a folder per module of src/, a file per one-file module", () => {
    const entries = (dir: string) => readdirSync(join(root, dir), { withFileTypes: true });
    const modules = new Set(
      entries("src")
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    );
    // Subjects that are not a module of src/: helpers, whole-system runs, the dashboards, the
    // Prometheus and Alertmanager configs, and the console page.
    const subjects = new Set(["support", "e2e", "grafana", "noc", "console"]);
    const folders = entries("test").filter((e) => e.isDirectory());
    expect(folders.map((e) => e.name).filter((n) => !modules.has(n) && !subjects.has(n))).toEqual([]);
    const topFiles = entries("test")
      .filter((e) => e.isFile() && e.name.endsWith(".test.ts") && e.name !== "layers.test.ts")
      .map((e) => e.name.replace(/\.test\.ts$/, ".ts"));
    expect(topFiles.filter((f) => !entries("src").some((e) => e.isFile() && e.name === f))).toEqual([]);
  });

  it("one helper starts the real peers: peers/index.ts, and no other peers module", () => {
    const helpers = ["test", "drivers", "simulators", "bench", "peers"]
      .flatMap(sourcesUnder)
      .filter((f) => /(^|\/)peers(\/index)?\.ts$/.test(f));
    expect(helpers).toEqual(["peers/index.ts"]);
  });

  it("the import reader sees every form of import it is meant to catch", () => {
    const text = [
      'import { a } from "../simulators/fleet.ts";',
      'import type { B } from "../drivers/snmp/index.ts";',
      'export { c } from "../drivers/modbus/codec.ts";',
      'import "../simulators/registry.ts";',
      'const d = await import("../simulators/demo.ts");',
      'import { e } from "./core/clock.ts";',
      'import { f } from "zod";',
    ].join("\n");
    const seen = importsOf("src/example.ts", text);
    expect(seen.filter((i) => forbiddenForCore(i.target)).map((i) => i.target)).toEqual([
      "simulators/fleet.ts",
      "drivers/snmp/index.ts",
      "drivers/modbus/codec.ts",
      "simulators/registry.ts",
      "simulators/demo.ts",
    ]);
    expect(forbiddenForCore("drivers/index.ts")).toBe(false);
    expect(forbiddenForCore("src/core/clock.ts")).toBe(false);
  });
});
