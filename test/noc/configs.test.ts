/**
 * The shipped Prometheus and Alertmanager configs, checked by the real tools (promtool, amtool),
 * and the alert rules checked against the metrics the daemon declares.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { declaredPromMetrics } from "../../grafana/declared-metrics.ts";
import { promqlLabelNames, promqlMetricNames } from "../../grafana/query-check.ts";
import { BINARIES, missingPeers, titled } from "../../peers/index.ts";
import { AM_DIR, PROM_DIR } from "../../peers/noc-stack.ts";

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (
  parse(readFileSync(join(PROM_DIR, "rules/emcomm.rules.yml"), "utf8")) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

describe.skipIf(missingPeers("promtool"))(
  titled("prometheus config (promtool)", missingPeers("promtool")),
  () => {
    it("prometheus.yml and its rules are valid", () => {
      const r = run(BINARIES.promtool, ["check", "config", "prometheus.yml"], PROM_DIR);
      expect(r.out).toContain("SUCCESS");
      expect(r.code, r.out).toBe(0);
    });

    it("the rules pass promtool check rules", () => {
      const r = run(BINARIES.promtool, ["check", "rules", "rules/emcomm.rules.yml"], PROM_DIR);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    });

    it("the rule unit tests pass, and cover every rule firing and not firing", () => {
      const r = run(BINARIES.promtool, ["test", "rules", "tests/emcomm.test.yml"], PROM_DIR);
      expect(r.code, r.out).toBe(0);
      const tests = parse(readFileSync(join(PROM_DIR, "tests/emcomm.test.yml"), "utf8")) as {
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      const cases = tests.tests.flatMap((t) => t.alert_rule_test);
      for (const rule of rules) {
        const mine = cases.filter((c) => c.alertname === rule.alert);
        expect(
          mine.some((c) => c.exp_alerts.length > 0),
          `${rule.alert} firing`,
        ).toBe(true);
        expect(
          mine.some((c) => c.exp_alerts.length === 0),
          `${rule.alert} not firing`,
        ).toBe(true);
      }
    });

    it("a broken expectation makes promtool fail (the tests can fail)", () => {
      const text = readFileSync(join(PROM_DIR, "tests/emcomm.test.yml"), "utf8").replace(
        "level: major, job: emcomm }",
        "level: general, job: emcomm }",
      );
      const r = spawnSync(BINARIES.promtool, ["test", "rules", "/dev/stdin"], {
        cwd: join(PROM_DIR, "tests"),
        input: text,
        encoding: "utf8",
      });
      expect(r.status).not.toBe(0);
    });
  },
);

describe("alert rules use only declared metrics", () => {
  const declared = declaredPromMetrics();
  it.each(rules.map((r) => [r.alert, r] as const))("%s", (_name, rule) => {
    const names = promqlMetricNames(rule.expr);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(declared.has(n), `${rule.alert}: ${n} is not declared`).toBe(true);
    const known = new Set(["job", "instance", ...names.flatMap((n) => declared.get(n) ?? [])]);
    for (const l of promqlLabelNames(rule.expr)) expect(known.has(l), `${rule.alert}: label ${l}`).toBe(true);
  });

  it("every alert has a level, and Chinese summary and description with English after ' / '", () => {
    for (const rule of rules) {
      const level = rule.labels?.level ?? (rule.expr.includes('"level"') ? "from-expr" : undefined);
      const ticketLevel = rule.expr.includes("emcomm_ticket_clock_remaining_seconds") ? "ticket" : undefined;
      expect(level ?? ticketLevel, rule.alert).toBeDefined();
      for (const key of ["summary", "description"]) {
        const text = rule.annotations[key] ?? "";
        expect(text, `${rule.alert} ${key}`).toMatch(/[\u4e00-\u9fff]/);
        expect(text, `${rule.alert} ${key}`).toContain(" / ");
      }
    }
  });
});

describe.skipIf(missingPeers("amtool"))(
  titled("alertmanager config (amtool)", missingPeers("amtool")),
  () => {
    it("passes amtool check-config, templates included", () => {
      const r = run(BINARIES.amtool, ["check-config", "alertmanager.yml"], AM_DIR);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain("1 templates");
    });

    const route = (...labels: string[]) =>
      execFileSync(
        BINARIES.amtool,
        ["config", "routes", "test", "--config.file=alertmanager.yml", ...labels],
        {
          cwd: AM_DIR,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        },
      ).trim();

    it("routes by level: major to the bureau and the rota, general to the rota, consult to the NOC only", () => {
      expect(route("level=major", "site=duty").split(",")).toEqual([
        "noc-wecom",
        "bureau-duty",
        "oncall-a",
        "oncall-b",
        "oncall-c",
      ]);
      expect(route("level=general", "site=trunking").split(",")).toEqual([
        "noc-wecom",
        "oncall-a",
        "oncall-b",
        "oncall-c",
      ]);
      expect(route("level=consult", "site=trunking")).toBe("noc-wecom");
    });

    it("the rota covers every day of the month with exactly one of three engineers", () => {
      const am = parse(readFileSync(join(AM_DIR, "alertmanager.yml"), "utf8")) as {
        time_intervals: { name: string; time_intervals: { days_of_month: string[] }[] }[];
      };
      const rota = am.time_intervals.filter((t) => t.name.startsWith("rota-"));
      expect(rota).toHaveLength(3);
      for (const day of Array.from({ length: 31 }, (_, i) => i + 1)) {
        const owners = rota.filter((t) =>
          t.time_intervals.some((ti) =>
            ti.days_of_month.some((range) => {
              const [a, b = a] = range.split(":").map(Number) as [number, number?];
              const end = b! < 0 ? 31 + b! + 1 : b!;
              return day >= a && day <= end;
            }),
          ),
        );
        expect(owners.length, `day ${day}`).toBe(1);
      }
    });

    it("render.sh fills the WeCom secrets from files into a config amtool accepts", () => {
      const dir = mkdtempSync(join(tmpdir(), "emcomm-am-render-"));
      try {
        writeFileSync(join(dir, "corp"), "ww0123456789abcdef\n");
        writeFileSync(join(dir, "secret"), "s3cr3t-Value_42\n");
        // Stands in for /bin/alertmanager: checks the rendered file with amtool.
        const fake = join(dir, "alertmanager");
        writeFileSync(fake, `#!/bin/sh\nexec ${BINARIES.amtool} check-config "\${1#--config.file=}"\n`);
        chmodSync(fake, 0o755);
        const r = spawnSync("sh", [join(AM_DIR, "render.sh")], {
          encoding: "utf8",
          env: {
            ...process.env,
            AM_CONFIG_DIR: AM_DIR,
            AM_RUN_DIR: dir,
            AM_BIN: fake,
            WECOM_CORP_ID_FILE: join(dir, "corp"),
            WECOM_API_SECRET_FILE: join(dir, "secret"),
          },
        });
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const rendered = readFileSync(join(dir, "alertmanager.yml"), "utf8");
        expect(rendered).toContain("wechat_api_secret: s3cr3t-Value_42\n");
        expect(rendered).toContain("wechat_api_corp_id: ww0123456789abcdef\n");
        expect(rendered).not.toContain("__WECOM_");
        expect(statSync(join(dir, "alertmanager.yml")).mode & 0o077).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("holds no secret: WeCom secret is a placeholder, the gateway token a file", () => {
      const text = readFileSync(join(AM_DIR, "alertmanager.yml"), "utf8");
      expect(text).toContain("wechat_api_secret: __WECOM_API_SECRET__");
      expect(text).toMatch(/credentials_file: \/run\/secrets\/sms_gateway_token/);
      expect(text).not.toMatch(/\bcredentials:\s/);
      for (const url of text.match(/https?:\/\/[^\s'"]+/g) ?? [])
        expect(url.includes(".invalid") || url.startsWith("https://qyapi.weixin.qq.com/"), url).toBe(true);
    });
  },
);
