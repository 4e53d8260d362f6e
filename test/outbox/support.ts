/**
 * Shared pieces of the outbox tests: a Forwarder with the tests' usual settings, a transport that
 * records what it accepts, and the line protocol line they enqueue.
 */
import {
  type BatchTransport,
  Forwarder,
  type ForwarderOptions,
  type SendFailure,
} from "../../src/outbox/forwarder.ts";
import { quietLog } from "../support/log.ts";

/** A line of series `series` at time `t`: `m,s=k1 v=3 3`. */
export const line = (series: string, t: number) => `m,s=${series} v=${t} ${t}`;

/**
 * A Forwarder that sends each entry as one item, logs nothing, and sends batches of 10 every
 * 10 ms of the test's clock, unless `o` says otherwise.
 */
export function testForwarder(
  o: Pick<ForwarderOptions, "outbox" | "transport" | "clock"> & Partial<ForwarderOptions>,
): Forwarder {
  return new Forwarder({ split: (b) => [b], log: quietLog, batchSize: 10, flushInterval: 10, ...o });
}

/**
 * A transport that accepts every batch but those `refuse` answers a failure for (by call, from 1);
 * `delivered` holds what it accepted, in order.
 */
export function deliveringTransport(refuse: (call: number) => SendFailure | undefined = () => undefined): {
  transport: BatchTransport;
  delivered: string[];
} {
  const delivered: string[] = [];
  let calls = 0;
  const transport: BatchTransport = {
    async send(items) {
      const failure = refuse(++calls);
      if (failure) return failure;
      delivered.push(...items);
      return { ok: true, bytes: 1 };
    },
  };
  return { transport, delivered };
}
