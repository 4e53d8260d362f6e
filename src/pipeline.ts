import type { Logger } from "pino";
import type { PollOutcome } from "./core/outcome.ts";

export type OutcomeListener = (outcome: PollOutcome) => void;

/**
 * Fan-out of poll outcomes to the daemon's consumers, in subscription order, synchronously. One
 * consumer that throws is logged and does not stop the others nor the poller.
 */
export class Pipeline {
  private listeners: { name: string; fn: OutcomeListener }[] = [];

  constructor(private readonly log: Logger) {}

  subscribe(name: string, fn: OutcomeListener): void {
    this.listeners.push({ name, fn });
  }

  publish(outcome: PollOutcome): void {
    for (const { name, fn } of this.listeners) {
      try {
        fn(outcome);
      } catch (err) {
        this.log.error({ err, consumer: name, device: outcome.deviceId }, "outcome consumer failed");
      }
    }
  }
}
