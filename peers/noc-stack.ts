/**
 * The repository's Prometheus and Alertmanager configs, rendered for a test: the same rules,
 * routes, receivers and templates, with targets and receivers on loopback and every interval
 * shortened to seconds. Nothing else changes, so the test proves the shipped config.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

export const ROOT = new URL("../", import.meta.url).pathname;
export const PROM_DIR = join(ROOT, "config/prometheus");
export const AM_DIR = join(ROOT, "config/alertmanager");

type Yaml = Record<string, unknown>;

/**
 * prometheus.yml with 1 s scrape/evaluation, the daemon and Alertmanager as targets, and the rules
 * with every `for:` cut to `forSeconds` (the thresholds and expressions stay as shipped).
 */
export function renderPrometheus(
  dir: string,
  opts: { daemon: string; alertmanager?: string; forSeconds?: number },
): string {
  mkdirSync(join(dir, "targets"), { recursive: true });
  mkdirSync(join(dir, "rules"), { recursive: true });
  const config = parse(readFileSync(join(PROM_DIR, "prometheus.yml"), "utf8")) as Yaml;
  config.global = { ...(config.global as Yaml), scrape_interval: "1s", evaluation_interval: "1s" };
  for (const job of config.scrape_configs as Yaml[]) {
    job.scrape_interval = "1s";
    job.scrape_timeout = "1s";
  }
  writeFileSync(join(dir, "targets/emcomm.yml"), stringify([{ targets: [opts.daemon] }]));
  writeFileSync(
    join(dir, "targets/alertmanager.yml"),
    stringify(opts.alertmanager ? [{ targets: [opts.alertmanager] }] : []),
  );
  const rules = parse(readFileSync(join(PROM_DIR, "rules/emcomm.rules.yml"), "utf8")) as {
    groups: { rules: Yaml[] }[];
  };
  for (const group of rules.groups)
    for (const rule of group.rules) if (rule.for) rule.for = `${opts.forSeconds ?? 2}s`;
  writeFileSync(join(dir, "rules/emcomm.rules.yml"), stringify(rules));
  const file = join(dir, "prometheus.yml");
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * alertmanager.yml with WeCom and the SMS/voice gateway pointed at `receiver` (a loopback base URL),
 * group waits and intervals of 1 s, the shipped templates, and a test token file.
 */
export function renderAlertmanager(dir: string, receiver: string): { file: string; config: Yaml } {
  mkdirSync(dir, { recursive: true });
  const config = parse(readFileSync(join(AM_DIR, "alertmanager.yml"), "utf8"), { merge: true }) as Yaml;
  const global = config.global as Yaml;
  global.wechat_api_url = `${receiver}/wecom/`;
  global.wechat_api_corp_id = "test-corp";
  global.wechat_api_secret = "test-secret";
  config.templates = [join(AM_DIR, "templates/*.tmpl")];
  const token = join(dir, "sms_gateway_token");
  writeFileSync(token, "test-token\n");
  const shorten = (route: Yaml) => {
    if (route.group_wait !== undefined) route.group_wait = "1s";
    if (route.group_interval !== undefined) route.group_interval = "1s";
    for (const child of (route.routes as Yaml[] | undefined) ?? []) shorten(child);
  };
  shorten(config.route as Yaml);
  for (const r of config.receivers as Yaml[])
    for (const hook of (r.webhook_configs as Yaml[] | undefined) ?? []) {
      hook.url = String(hook.url).replace(/^https?:\/\/[^/]+/, `${receiver}/gateway`);
      ((hook.http_config as Yaml).authorization as Yaml).credentials_file = token;
    }
  const file = join(dir, "alertmanager.yml");
  // The anchors (&rota) were expanded by parse; write plain YAML.
  writeFileSync(file, stringify(config, { aliasDuplicateObjects: false }));
  return { file, config };
}

/** Every http(s) URL in a parsed config, to prove a rendered config talks only to loopback. */
export function urlsIn(value: unknown): string[] {
  if (typeof value === "string") return value.match(/https?:\/\/[^\s'"]+/g) ?? [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(urlsIn);
  return [];
}
