/**
 * How the net-snmp transport names a session that net-snmp closed with an "error" event: a socket
 * error (a system code such as EMFILE) is the monitor's own fault or the network's, an error
 * without a code is an answer it could not decode. A request to a port nobody answers waits
 * while the test raises the event the way net-snmp does.
 */
import type { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import { snmpOptions } from "./options.ts";
import { openNetSnmp, type SnmpTransport } from "./transport.ts";

const open: SnmpTransport[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

/** A GET to a port nobody answers, and the session it opened, once net-snmp holds the request. */
async function waitingRequest(): Promise<{ request: Promise<unknown>; session: EventEmitter }> {
  const options = snmpOptions.parse({
    protocol: "snmp",
    profile: "generic-host",
    host: "127.0.0.1",
    port: 9,
    community: "public",
    retries: 0,
  });
  const t = openNetSnmp(options, 30_000);
  open.push(t);
  const request = t.get(["1.3.6.1.2.1.1.3.0"]);
  request.catch(() => {});
  const session = (t as unknown as { session: EventEmitter & { reqs: object } }).session;
  // net-snmp registers a request once its datagram is sent.
  for (let i = 0; i < 200 && Object.keys(session.reqs).length === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(Object.keys(session.reqs)).toHaveLength(1);
  return { request, session };
}

describe("net-snmp session errors", () => {
  it("a socket error while a request waits is the monitor's own resources, not an undecodable answer", async () => {
    const { request, session } = await waitingRequest();
    session.emit(
      "error",
      Object.assign(new Error("send EMFILE 127.0.0.1:9"), { code: "EMFILE", syscall: "send" }),
    );
    const err = (await request.then(
      () => undefined,
      (e: unknown) => e,
    )) as PollError;
    expect(err).toBeInstanceOf(PollError);
    expect(err.kind).toBe("local");
    expect(err.message).toMatch(/socket error/);
    expect(err.message).toMatch(/EMFILE: the monitor's own resources/);
    expect(err.message).not.toMatch(/undecodable/);
  });

  it("an error without a code is an answer that could not be decoded", async () => {
    const { request, session } = await waitingRequest();
    session.emit("error", Object.assign(new Error("Invalid message"), { name: "ProcessingError" }));
    const err = (await request.then(
      () => undefined,
      (e: unknown) => e,
    )) as PollError;
    expect(err.kind).toBe("protocol");
    expect(err.message).toMatch(/undecodable answer: Invalid message/);
  });
});
