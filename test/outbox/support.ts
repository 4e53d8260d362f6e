/**
 * Shared pieces of the outbox tests: an outbox with its metrics on a FakeClock, a Forwarder with the
 * tests' usual settings, a transport that records what it accepts, and the line they enqueue.
 */

import { Registry } from "prom-client";
import { FakeClock } from "../../src/core/clock.ts";
import {
  type BatchTransport,
  Forwarder,
  type ForwarderOptions,
  type SendFailure,
} from "../../src/outbox/forwarder.ts";
import { SinkMetrics } from "../../src/outbox/metrics.ts";
import { Outbox, type OutboxOptions } from "../../src/outbox/outbox.ts";
import { bodyText } from "../../src/outbox/rows.ts";
import type { Db } from "../../src/store/db.ts";
import { quietLog } from "../support/log.ts";

/** A line of series `series` at time `t`: `m,s=k1 v=3 3`. */
export const line = (series: string, t: number) => `m,s=${series} v=${t} ${t}`;

/**
 * An outbox on `db` (sink "g", 1 MB of backlog unless `o` says otherwise) on a fresh FakeClock, its
 * metrics in their own registry; `metric(name, labels)` sums the values of the series with those labels.
 */
export function meteredOutbox(db: Db, o: Partial<OutboxOptions> = {}) {
  const clock = new FakeClock();
  const registry = new Registry();
  const metrics = new SinkMetrics(registry, () => clock.now());
  const outbox = new Outbox(db, { sink: "g", maxBacklogBytes: 1e6, clock, log: quietLog, metrics, ...o });
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((n, v) => n + v.value, 0);
  return { clock, outbox, metrics, metric };
}

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
      delivered.push(...items.map(bodyText));
      return { ok: true, bytes: 1 };
    },
  };
  return { transport, delivered };
}
