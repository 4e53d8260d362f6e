/**
 * `emcomm records …` against the records API on loopback: the token comes from EMCOMM_TOKEN, the
 * signatures name its holder, the daemon's refusals come back as the command's error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerRecordCommands } from "../../src/records/cli.ts";
import { runCommand } from "../support/cli.ts";
import { at } from "../support/harness.ts";
import { recordsWorld, tokens, type World } from "./support.ts";

describe("emcomm records", () => {
  let w: World;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    w = await recordsWorld();
    url = await w.app.listen({ host: "127.0.0.1", port: 0 });
    dir = mkdtempSync(join(tmpdir(), "emcomm-records-cli-"));
    w.h.clock.set(at(3, "10:00"));
  });
  afterAll(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const emcomm = async (token: keyof typeof tokens, ...args: string[]) => {
    vi.stubEnv("EMCOMM_TOKEN", tokens[token]);
    try {
      return await runCommand(registerRecordCommands, [...args, "--url", url]);
    } finally {
      vi.unstubAllEnvs();
    }
  };

  it("creates, submits and approves a plan; shows its signatures; prints the report", async () => {
    const file = join(dir, "plan.json");
    writeFileSync(
      file,
      JSON.stringify({
        month: "2026-12",
        visits: [{ device: "console", date: "2026-12-03", engineers: ["li.engineer"] }],
      }),
    );
    const created = await emcomm("engineer", "records", "create", "plan", "--file", file);
    expect(created).toMatchObject({ code: 0 });
    const id = /#(\d+) plan/.exec(created.out)![1]!;
    expect((await emcomm("engineer", "records", "submit", id)).out).toContain("submitted");
    const refused = await emcomm("engineer", "records", "approve", id);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("403 role engineer cannot approve");
    expect((await emcomm("supervisor", "records", "approve", id)).out).toContain("approved");
    const shown = await emcomm("engineer", "records", "show", id);
    expect(shown.out).toMatch(/submit v1 li\.engineer \(engineer\)/);
    expect(shown.out).toMatch(/approve v1 wang\.bureau \(supervisor\) .* sha256 [0-9a-f]{64}/);
    expect((await emcomm("engineer", "records", "list", "--kind", "plan")).out).toContain(`#${id} plan`);
    const figures = await emcomm("engineer", "records", "figures", "2026-11");
    expect(figures.out).toContain(`plan #${id} 2026-12`);
    const md = await emcomm("engineer", "records", "report", "2026-11", "inspection");
    expect(md.out).toContain("下月巡检计划 Next month's plan");
  });
});
