import { closeSync, openSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DESCRIPTOR_RESERVE,
  descriptorLimit,
  descriptorShortfall,
  descriptorsNeeded,
  openDescriptors,
  SNMP_DEVICES_PER_SOCKET,
} from "../../src/core/descriptors.ts";

const limits = (soft: string, hard: string) =>
  [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max processes             63704                63704                processes ",
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    "",
  ].join("\n");

describe("open-file descriptors for a fleet", () => {
  it("reads the soft limit from /proc/self/limits text", () => {
    expect(descriptorLimit(limits("1024", "524288"))).toBe(1024);
    expect(descriptorLimit(limits("unlimited", "unlimited"))).toBeUndefined();
    expect(descriptorLimit("")).toBeUndefined();
  });

  it("needs one per SNMP_DEVICES_PER_SOCKET SNMP devices plus a reserve", () => {
    expect(descriptorsNeeded(10_000)).toBe(Math.ceil(10_000 / SNMP_DEVICES_PER_SOCKET) + DESCRIPTOR_RESERVE);
    expect(descriptorsNeeded(1)).toBe(1 + DESCRIPTOR_RESERVE);
    expect(descriptorsNeeded(0)).toBe(DESCRIPTOR_RESERVE);
  });

  it("says what to raise when the limit cannot hold the fleet, and nothing when it can", () => {
    const needed = descriptorsNeeded(100_000);
    expect(descriptorShortfall(100_000, 1024)).toMatch(
      new RegExp(`open-file limit 1024 is below the ${needed} descriptors`),
    );
    expect(descriptorShortfall(100_000, 1024)).toMatch(/LimitNOFILE/);
    expect(descriptorShortfall(10_000, 1024)).toBeUndefined();
    expect(descriptorShortfall(100_000, undefined)).toBeUndefined();
  });

  it("this process's limit is readable on Linux", () => {
    if (process.platform === "linux") expect(descriptorLimit()).toBeGreaterThan(0);
  });

  it.runIf(process.platform === "linux")(
    "counts this process's open descriptors as listing /proc/self/fd does",
    () => {
      const listed = () => readdirSync("/proc/self/fd").length - 1;
      expect(openDescriptors()).toBe(listed());
      const opened = Array.from({ length: 5 }, () => openSync("/proc/self/limits", "r"));
      try {
        expect(openDescriptors()).toBe(listed());
        const before = openDescriptors()!;
        closeSync(opened.pop()!);
        expect(openDescriptors()).toBe(before - 1);
      } finally {
        for (const fd of opened) closeSync(fd);
      }
    },
  );
});
