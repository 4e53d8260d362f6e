import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Secret } from "../src/config/secret.ts";
import { createLogger } from "../src/log.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe("logger", () => {
  it("redacts credentials by key at any depth and prints Secrets as [redacted]", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", pretty: false, destination });
    log.info(
      {
        community: "top-secret-1",
        device: {
          driver: { community: "top-secret-2", v3: { authKey: "top-secret-3", privKey: "top-secret-4" } },
        },
        headers: { authorization: "Bearer top-secret-5" },
        token: new Secret({ literal: "top-secret-6" }),
      },
      "config loaded",
    );
    const text = lines.join("");
    expect(text).toContain("config loaded");
    expect(text).not.toMatch(/top-secret/);
    expect(text).toContain("[redacted]");
  });

  it("is quiet by default: debug lines are not written at info", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", pretty: false, destination });
    log.debug("every poll");
    log.info("a device went down");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe("a device went down");
  });
});
