import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Secret } from "../../src/config/secret.ts";
import { parseSize, sinksSchema } from "../../src/sinks/config.ts";

describe("sinks config", () => {
  it("the README example is valid and means what it says", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = /```yaml\n(sinks:[\s\S]*?)```/.exec(readme)![1]!;
    const config = sinksSchema.parse(parse(block).sinks);
    expect(config.influx).toMatchObject({
      bucket: "emcomm",
      precision: "ms",
      batchSize: 5000,
      flushInterval: 1000,
      maxBacklogBytes: 512 * 1024 ** 2,
      onFull: "drop-oldest",
      drainConcurrency: 4,
      maxBackoff: 60_000,
    });
    expect(config.influx!.token).toBeInstanceOf(Secret);
    expect(config.influx!.token!.describe()).toBe("env INFLUX_TOKEN");
    expect(config.mqtt!.password!.describe()).toBe("file /run/secrets/mqtt");
    expect(config).toMatchObject({ synchronous: "full", commitWindow: 50, writeBehind: 3000 });
  });

  it("defaults to no sink", () => {
    expect(sinksSchema.parse({})).toEqual({ synchronous: "full", commitWindow: 50, writeBehind: 3000 });
  });

  it("takes a write-behind longer than the InfluxDB flushInterval, or none", () => {
    const influx = { url: "http://x", flushInterval: "2s" };
    expect(sinksSchema.parse({ influx, writeBehind: "0ms" }).writeBehind).toBe(0);
    expect(sinksSchema.parse({ influx, writeBehind: "5s" }).writeBehind).toBe(5000);
    const r = sinksSchema.safeParse({ influx, writeBehind: "2s" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({
      path: ["writeBehind"],
      message: "must be longer than influx.flushInterval (2000 ms), or 0ms",
    });
  });

  it.each<[unknown, string]>([
    [{ influx: { url: "http://x", batchsize: 5 } }, "unknown key"],
    [{ influx: { url: "not a url" } }, "url"],
    [{ influx: { url: "http://x", maxBacklogBytes: "12 parsecs" } }, "size"],
    [{ mqtt: { url: "http://x" } }, "mqtt scheme"],
    [{ mqtt: { url: "mqtt://x", topicPrefix: "a/#" } }, "wildcard prefix"],
    [{ mqtt: { url: "mqtt://x", newestFirst: true } }, "newestFirst is InfluxDB only"],
  ])("rejects %j (%s)", (input, _why) => {
    expect(sinksSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    ["512MiB", 536_870_912],
    ["2GB", 2e9],
    ["64KiB", 65_536],
    ["100 B", 100],
  ])("size %s = %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});
