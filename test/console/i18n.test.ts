/**
 * The console's words: Chinese and English have the same keys, and every key the page's code asks
 * for (t("…") and t(`prefix_${…}`) for the states, levels, clocks, roles it renders) exists, so no
 * raw key ever shows on a phone.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deviceStates } from "../../src/ledger/store.ts";
import { checklistIds, kindRules } from "../../src/records/kinds.ts";
import { clockNames } from "../../src/tickets/deadlines.ts";
import { ticketStates } from "../../src/tickets/store.ts";

const dir = new URL("../../console/", import.meta.url).pathname;
const i18nPath = join(dir, "i18n.js");

describe("console i18n", async () => {
  const mod = (await import(i18nPath)) as { dictionaries(): Record<"zh" | "en", Record<string, string>> };
  const dict = mod.dictionaries();

  it("has the same keys in Chinese and English", () => {
    expect(Object.keys(dict.en).sort()).toEqual(Object.keys(dict.zh).sort());
  });

  it("knows every literal key the page uses", () => {
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".js")))
      for (const m of readFileSync(join(dir, f), "utf8").matchAll(/\bt\("([A-Za-z_-]+)"\)/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in dict.zh))).toEqual([]);
  });

  it("knows every state, level, clock, role and event family the API can send", () => {
    const families = {
      level_: ["major", "general", "consult"],
      state_: [...ticketStates],
      clock_: [...clockNames],
      role_: ["engineer", "supervisor", "viewer"],
      st_: [...deviceStates, "unknown"],
      kind_: ["maintenance", "drill"],
      status_: ["requested", "approved", "cancelled"],
      source_: ["auto", "manual"],
      rec_: [
        ...new Set(
          Object.values(kindRules).flatMap((k) => [k.initial, ...Object.values(k.steps).map((s) => s.to)]),
        ),
      ],
      sig_: [...new Set(Object.values(kindRules).flatMap((k) => Object.keys(k.steps))), "sign"],
      item_: [...checklistIds],
    };
    const missing = Object.entries(families).flatMap(([p, names]) =>
      names.map((n) => p + n).filter((k) => !(k in dict.zh) || !(k in dict.en)),
    );
    expect(missing).toEqual([]);
  });
});
