/**
 * docker-compose.yml: there is no Docker engine (nor the compose plugin) on the build machines, so
 * the file is checked as data: official images pinned, provisioning and configs mounted from paths
 * that exist, named volumes declared and used, secrets only through env files and secret files
 * that have committed examples, the simulators profile. Where `docker compose` exists, it also
 * runs `docker compose config`.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../peers/noc-stack.ts";

type Service = {
  image?: string;
  build?: unknown;
  profiles?: string[];
  env_file?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  command?: string[];
  networks?: Record<string, { aliases?: string[] }>;
};
const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;

describe("docker-compose.yml", () => {
  it("has the whole stack, on official images with pinned versions", () => {
    const images: Record<string, RegExp> = {
      influxdb: /^influxdb:2\.\d+/,
      prometheus: /^prom\/prometheus:v\d+\.\d+\.\d+$/,
      alertmanager: /^prom\/alertmanager:v0\.25\.\d+$/,
      grafana: /^grafana\/grafana-oss:\d+\.\d+\.\d+$/,
      mosquitto: /^eclipse-mosquitto:2\.\d+/,
    };
    for (const [name, image] of Object.entries(images)) expect(services[name]?.image, name).toMatch(image);
    expect(services.emcomm?.build).toBe(".");
    expect(existsSync(join(ROOT, "Dockerfile"))).toBe(true);
  });

  it("runs the daemon live or on simulators, as profiles that Prometheus reaches by one name", () => {
    expect(services.emcomm?.profiles).toEqual(["live"]);
    expect(services["emcomm-demo"]?.profiles).toEqual(["simulators"]);
    expect(services["emcomm-demo"]?.command).toEqual(expect.arrayContaining(["demo", "--host", "0.0.0.0"]));
    expect(services["emcomm-demo"]?.networks?.default?.aliases).toContain("emcomm");
    const targets = parse(readFileSync(join(ROOT, "config/prometheus/targets.compose/emcomm.yml"), "utf8"));
    expect(targets[0].targets).toEqual(["emcomm:9464"]);
  });

  it("mounts Grafana's provisioning and dashboards, and the Prometheus and Alertmanager configs", () => {
    expect(services.grafana?.volumes).toEqual(
      expect.arrayContaining([
        "./grafana/provisioning:/etc/grafana/provisioning:ro",
        "./grafana/dashboards:/var/lib/grafana/dashboards/emcomm:ro",
      ]),
    );
    const provider = parse(readFileSync(join(ROOT, "grafana/provisioning/dashboards/emcomm.yaml"), "utf8"));
    expect(provider.providers[0].options.path).toBe("/var/lib/grafana/dashboards/emcomm");
    expect(services.prometheus?.volumes).toContain("./config/prometheus:/etc/prometheus:ro");
    expect(services.alertmanager?.volumes).toContain("./config/alertmanager:/etc/alertmanager:ro");
  });

  it("binds only paths that exist in the repository (secrets have committed examples)", () => {
    for (const [name, s] of Object.entries(services))
      for (const v of s.volumes ?? []) {
        const host = v.split(":")[0]!.replace(/^\$\{\w+:-(.+)\}$/, "$1");
        if (!host.startsWith(".")) continue;
        if (host.startsWith("./secrets/"))
          expect(
            existsSync(join(ROOT, `${host}.example`)) || host.endsWith(".passwd"),
            `${name}: ${host}`,
          ).toBe(true);
        else expect(existsSync(join(ROOT, host)), `${name}: ${host}`).toBe(true);
      }
  });

  it("declares every named volume it uses, and uses every one it declares", () => {
    const used = new Set(
      Object.values(services).flatMap((s) =>
        (s.volumes ?? []).map((v) => v.split(":")[0]!).filter((h) => /^[a-z][\w-]*$/.test(h)),
      ),
    );
    expect(used).toEqual(new Set(Object.keys(compose.volumes)));
  });

  it("takes secrets from env files and secret files only, never inline", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {}))
        if (/PASSWORD|TOKEN|SECRET|COMMUNITY/.test(key)) expect.fail(`${name}: ${key}=${value} inline`);
      for (const f of s.env_file ?? [])
        expect(existsSync(join(ROOT, `${f}.example`)), `${name}: ${f}`).toBe(true);
      for (const secret of s.secrets ?? [])
        expect(compose.secrets[secret], `${name}: ${secret}`).toBeDefined();
    }
    for (const { file } of Object.values(compose.secrets))
      expect(existsSync(join(ROOT, `${file}.example`)), file).toBe(true);
    const ignored = readFileSync(join(ROOT, ".gitignore"), "utf8");
    expect(ignored).toContain("secrets/*");
    expect(readdirSync(join(ROOT, "secrets")).every((f) => f.endsWith(".example") || f === "README.md")).toBe(
      true,
    );
  });

  const composeCli = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
  it.skipIf(composeCli.status !== 0)(
    "`docker compose config` accepts it (skipped: no docker compose plugin here)",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "emcomm-compose-"));
      try {
        cpSync(ROOT, dir, {
          recursive: true,
          filter: (src) => !src.includes("node_modules") && !src.includes("/.git"),
        });
        for (const f of readdirSync(join(dir, "secrets")))
          if (f.endsWith(".example"))
            copyFileSync(join(dir, "secrets", f), join(dir, "secrets", f.slice(0, -8)));
        const r = spawnSync("docker", ["compose", "--profile", "simulators", "config", "-q"], {
          cwd: dir,
          encoding: "utf8",
        });
        expect(r.status, r.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
