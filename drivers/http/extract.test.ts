import { describe, expect, it } from "vitest";
import type { PollError } from "../../src/core/errors.ts";
import { digestAuthorization, parseChallenge } from "./digest.ts";
import { extractSamples, jsonPath, numberish, parseBody, parseFlatXml } from "./extract.ts";

describe("jsonPath", () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, t: true };
  it.each([
    ["a.b[1].c", 2],
    ["a.b[0]", { c: 1 }],
    ["t", true],
    ["a.x.c", undefined],
    ["a.b[5].c", undefined],
    ["t.u", undefined],
  ])("%s → %j", (path, expected) => expect(jsonPath(doc, path)).toEqual(expected));
});

describe("numberish", () => {
  it.each([
    ["-95dBm", -95],
    [">=-51dBm", -51],
    ["12dB", 12],
    ["-9.5 dB", -9.5],
    ["37%", 37],
    [7, 7],
    [true, 1],
    [false, 0],
    ["n/a", undefined],
    [null, undefined],
    [Number.NaN, undefined],
    [{}, undefined],
  ])("%j → %j", (v, expected) => expect(numberish(v)).toBe(expected));
});

describe("HiLink XML", () => {
  it("reads a flat response, empty elements and entities", () => {
    const x = parseFlatXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n<rsrp>-95dBm</rsrp>\n<WanIPAddress/>\n<n>a&amp;b</n>\n</response>\n',
    );
    expect(x).toEqual({ root: "response", fields: { rsrp: "-95dBm", WanIPAddress: "", n: "a&b" } });
  });
  it.each([["<html><body>hi</body>"], ["{}"], [""], ["<response><a>1</a>"]])(
    "rejects %j as protocol",
    (text) => {
      const err = (() => {
        try {
          parseBody(text, "xml", "ctx");
        } catch (e) {
          return e;
        }
      })() as PollError;
      expect(err.kind).toBe("protocol");
    },
  );
  it("maps HiLink session errors to auth and others to device", () => {
    expect(() => parseBody("<error><code>125002</code><message/></error>", "xml", "c")).toThrow(/125002/);
    try {
      parseBody("<error><code>100003</code></error>", "xml", "c");
    } catch (e) {
      expect((e as PollError).kind).toBe("auth");
    }
    try {
      parseBody("<error><code>9003</code></error>", "xml", "c");
    } catch (e) {
      expect((e as PollError).kind).toBe("device");
    }
  });
});

describe("extractSamples", () => {
  const endpoint = {
    path: "/s",
    format: "json" as const,
    fields: [
      { metric: "a", path: "x.ok" },
      { metric: "b", path: "x.level", scale: 0.1 },
      { metric: "c", path: "x.state", anyOf: ["up", "ready"] },
      { metric: "d", path: "x.maybe", optional: true },
    ],
  };
  it("reads booleans, numbers, enums and skips optional fields", () => {
    expect(extractSamples({ x: { ok: true, level: 125, state: "ready" } }, endpoint, "c")).toEqual([
      { metric: "a", value: 1 },
      { metric: "b", value: 12.5 },
      { metric: "c", value: 1 },
    ]);
  });
  it.each([
    [{ x: { level: 1, state: "up" } }, /x.ok is missing/],
    [{ x: { ok: "yes", level: 1, state: "up" } }, /x.ok is not a number/],
    [[1, 2, 3], /is missing/],
    ["text", /is missing/],
  ])("a document not matching the profile is a decode error: %j", (doc, message) => {
    expect(() => extractSamples(doc, endpoint, "c")).toThrow(message);
    try {
      extractSamples(doc, endpoint, "c");
    } catch (e) {
      expect((e as PollError).kind).toBe("decode");
    }
  });
});

describe("digest", () => {
  it("answers the RFC 2617 §3.5 example", () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const header = digestAuthorization(
      challenge,
      "Mufasa",
      "Circle Of Life",
      "GET",
      "/dir/index.html",
      "0a4f113b",
    );
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(parseChallenge("Basic realm=x")).toBeUndefined();
  });
});
