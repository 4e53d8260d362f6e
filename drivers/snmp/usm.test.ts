/** Which net-snmp errors mean a stale engine notion or a wrong privacy key, table-style. */
import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import { classify } from "./transport.ts";
import { describeEngine, isDecryptionReport, needsRediscovery } from "./usm.ts";

const codes = snmp.ResponseInvalidCode;
const invalid = (message: string, code: number | undefined) =>
  Object.assign(new Error(message), { name: "ResponseInvalidError", code });

describe("usm", () => {
  it.each([
    [
      "answer outside the time window",
      invalid("Message with engineBoots '1' …", codes.ENotInTimeWindow),
      true,
    ],
    ["notInTimeWindow report", invalid("Not In Time Window", codes.EAuthFailure), true],
    ["unknownEngineID report", invalid("Unknown Engine ID", codes.EAuthFailure), true],
    [
      "wrong digest report",
      invalid("Wrong Digest (incorrect password, community or key)", codes.EAuthFailure),
      false,
    ],
    ["decryption error report", invalid("Decryption Error", codes.EAuthFailure), false],
    ["a timeout", Object.assign(new Error("Request timed out"), { name: "RequestTimedOutError" }), false],
    ["nothing", null, false],
  ])("%s: rediscover = %s", (_, err, expected) => {
    expect(needsRediscovery(err)).toBe(expected);
  });

  it("a usmStatsDecryptionErrors report is auth, naming the privacy key", () => {
    const err = invalid("Decryption Error", codes.EAuthFailure);
    expect(isDecryptionReport(err)).toBe(true);
    expect(classify(err, "snmp x GET 1.3")).toMatchObject({
      kind: "auth",
      message: expect.stringMatching(/usmStatsDecryptionErrors\): wrong privacy key \(privKey\)/),
    });
  });

  it("names the engine learned by discovery", () => {
    expect(
      describeEngine({
        msgAuthoritativeEngineID: Buffer.from("80001f88", "hex"),
        msgAuthoritativeEngineBoots: 1,
        msgAuthoritativeEngineTime: 32,
      }),
    ).toBe("engine 80001f88, engineBoots 1, engineTime 32");
    expect(describeEngine(undefined)).toBe("engine not discovered");
  });
});
