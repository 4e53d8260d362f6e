import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/json-schema.ts";
import { loadConfigFile, parseConfigText } from "../../src/config/load.ts";
import { findSecrets, Secret } from "../../src/config/secret.ts";
import { ConfigError } from "../../src/core/errors.ts";

const root = new URL("../../", import.meta.url).pathname;
const inventoryFile = join(root, "config/emcomm.yaml");
const inventoryText = readFileSync(inventoryFile, "utf8");

function problems(text: string): ConfigError {
  try {
    parseConfigText(text, "test.yaml");
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("config was accepted");
}

const minimal = (devices: string) => `
sites:
  - { id: duty, name: { zh: 值班, en: Duty }, calendar: always }
devices:
${devices}`;

describe("config validation", () => {
  it("accepts the contract inventory", () => {
    const config = loadConfigFile(inventoryFile);
    expect(config.sites.map((s) => s.id)).toContain("vehicle");
    expect(config.devices.length).toBeGreaterThanOrEqual(45);
  });

  it("reports three distinct mistakes at once, each with its key path, line and value", () => {
    const broken = inventoryText
      .replace("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\n  colour: blue")
      .replace("interval: 10s", "interval: 10 seconds")
      .replace(
        "protocol: tcp, host: matrix.vehicle.emcomm.invalid, port: 23",
        "protocol: tcp, host: matrix.vehicle.emcomm.invalid, port: 99999",
      );
    const err = problems(broken);
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i]));
    expect(err.issues).toHaveLength(3);
    expect(byPath.daemon?.message).toMatch(/no key "colour"/);
    expect(byPath["devices[0].interval"]?.value).toBe('"10 seconds"');
    expect(byPath["devices[0].interval"]?.message).toMatch(/duration with a unit/);
    const port = err.issues.find((i) => i.path.endsWith("driver.port"));
    expect(port?.value).toBe("99999");
    for (const issue of err.issues) expect(issue.line).toBeGreaterThan(0);
    expect(err.message).toContain("test.yaml");
  });

  it("refuses a time zone the runtime does not know, naming the key and what it expects", () => {
    const err = problems(`daemon: { timezone: Asia/Shangai }\n${minimal("  []")}`);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.path).toBe("daemon.timezone");
    expect(err.issues[0]?.message).toMatch(/IANA time zone name/);
    expect(err.issues[0]?.value).toBe('"Asia/Shangai"');
    expect(() =>
      parseConfigText(`daemon: { timezone: Europe/Berlin }\n${minimal("  []")}`, "t.yaml"),
    ).not.toThrow();
  });

  it("checks references between sites, devices and upstreams", () => {
    const err = problems(
      minimal(`  - { id: a, name: { zh: 甲, en: A }, site: nowhere, system: duty, kind: duty-system, vendor: x, model: y,
      upstream: ghost, driver: { protocol: tcp, host: 127.0.0.1, port: 1 } }
  - { id: a, name: { zh: 甲, en: A }, site: duty, system: duty, kind: duty-system, vendor: x, model: y,
      driver: { protocol: tcp, host: 127.0.0.1, port: 1 } }`),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      "devices[0].site",
      "devices[0].upstream",
      "devices[1].id",
    ]);
  });

  it("refuses one MQTT client id at one broker with two sets of credentials", () => {
    const box = (id: string, clientId: string, password: string) =>
      `  - { id: ${id}, name: { zh: 盒, en: Box }, site: duty, system: duty, kind: beidou-terminal, vendor: x, model: y,
      driver: { protocol: mqtt, profile: beidou-box, broker: "mqtt://127.0.0.1:1883", topic: t/${id}, username: u,
                clientId: ${clientId}, password: "\${${password}}" } }`;
    const err = problems(
      minimal(
        [
          box("a", "shared", "PW_A"),
          box("b", "shared", "PW_A"),
          box("c", "shared", "PW_C"),
          box("d", "own", "PW_C"),
        ].join("\n"),
      ),
    );
    expect(err.issues.map((i) => [i.path, i.value])).toEqual([["devices[2].driver.clientId", '"shared"']]);
  });

  it("rejects an unknown protocol and names the known ones", () => {
    const err = problems(
      minimal(`  - { id: a, name: { zh: 甲, en: A }, site: duty, system: duty, kind: duty-system, vendor: x, model: y,
      driver: { protocol: telnet, host: h } }`),
    );
    expect(err.issues[0]?.path).toBe("devices[0].driver.protocol");
    expect(err.issues[0]?.message).toMatch(/snmp.*tcp/);
  });

  it("reports YAML syntax errors with their line", () => {
    const err = problems("sites: [\n  - {id: x");
    expect(err.issues[0]?.message).toMatch(/valid YAML/);
    expect(err.issues[0]?.line).toBeGreaterThan(0);
  });

  it("applies defaults from the schema", () => {
    const config = parseConfigText(
      minimal(`  - { id: a, name: { zh: 甲, en: A }, site: duty, system: duty, kind: duty-system, vendor: x, model: y,
      driver: { protocol: tcp, host: 127.0.0.1, port: 1 } }`),
    );
    expect(config.daemon.http).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(config.devices[0]?.interval).toBe(30_000);
    expect(config.devices[0]?.criticality).toBe("general");
  });
});

describe("secrets", () => {
  it("are references until revealed, and never print", () => {
    const config = loadConfigFile(inventoryFile);
    const secrets = findSecrets(config);
    expect(secrets.length).toBeGreaterThan(10);
    const s = secrets[0]!.secret;
    expect(s.describe()).toBe("env EMCOMM_SNMP_COMMUNITY");
    expect(s.reveal({ EMCOMM_SNMP_COMMUNITY: "s3cret-community" })).toBe("s3cret-community");
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String(s)}`;
    expect(printed).not.toContain("EMCOMM_SNMP_COMMUNITY}");
    expect(printed).toContain("[redacted]");
    expect(() => s.reveal({})).toThrow(/EMCOMM_SNMP_COMMUNITY is not set/);
  });

  it("can come from a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "emcomm-secret-"));
    writeFileSync(join(dir, "token"), "from-file\n");
    const secret = new Secret({ file: join(dir, "token") });
    expect(secret.reveal()).toBe("from-file");
    expect(() => new Secret({ file: join(dir, "missing") }).reveal()).toThrow(/cannot be read/);
  });
});

describe("JSON Schema", () => {
  it("the committed config/emcomm.schema.json matches the zod schema (run `npm run schema`)", () => {
    const committed = JSON.parse(readFileSync(join(root, "config/emcomm.schema.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});

describe("emcomm config check", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, "bin/emcomm.js"), ...args], { encoding: "utf8", cwd: root });

  it("exits 0 on the inventory", () => {
    const r = cli("config", "check", "config/emcomm.yaml");
    expect(r.stdout).toMatch(/ok \(8 sites, \d+ devices/);
    expect(r.status).toBe(0);
  });

  it("exits non-zero listing every mistake with its key path", () => {
    const dir = mkdtempSync(join(tmpdir(), "emcomm-config-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(
      file,
      inventoryText
        .replace("dataDir: ./data", "dataDir: ./data\n  colour: blue")
        .replace("criticality: major", "criticality: urgent")
        .replace("interval: 10s", "interval: ten"),
    );
    const r = cli("config", "check", file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/3 problems/);
    expect(r.stderr).toMatch(/daemon: no key "colour"/);
    expect(r.stderr).toMatch(/devices\[0\]\.criticality: .*major.*"urgent"/);
    expect(r.stderr).toMatch(/devices\[0\]\.interval: .*"ten"/);
  });

  it("--secrets names the secrets it cannot read, without printing values", () => {
    const r = cli("config", "check", "config/emcomm.yaml", "--secrets");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/EMCOMM_SNMP_COMMUNITY is not set/);
    const env = {
      ...process.env,
      EMCOMM_SNMP_COMMUNITY: "c0mm",
      EMCOMM_MQTT_PASSWORD: "p4ss",
      EMCOMM_TOKEN_ENGINEER: "t0k1",
      EMCOMM_TOKEN_SUPERVISOR: "t0k2",
      EMCOMM_TOKEN_VIEWER: "t0k3",
    };
    const ok = spawnSync(
      process.execPath,
      [join(root, "bin/emcomm.js"), "config", "check", "config/emcomm.yaml", "--secrets"],
      {
        encoding: "utf8",
        cwd: root,
        env,
      },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toMatch(/c0mm|p4ss|t0k/);
  });
});
