import { describe, expect, it } from "vitest";
import { PollError } from "../src/core/errors.ts";
import type { PollOutcome } from "../src/core/outcome.ts";
import type { Sample } from "../src/core/types.ts";
import { StatusBoard } from "../src/status.ts";

const eth0 = Object.freeze({ ifname: "eth0" });
const outcome = (at: number, samples: Sample[]): PollOutcome => ({
  deviceId: "sw",
  trigger: "schedule",
  startedAt: at,
  finishedAt: at + 5,
  samples,
});

describe("StatusBoard latest samples", () => {
  it("keeps its own copies, updated in place while the samples keep their shape", () => {
    const board = new StatusBoard(["sw"]);
    const first = [
      { metric: "if_oper_up", value: 1, labels: eth0 },
      { metric: "system_uptime_seconds", value: 10.5 },
    ];
    board.record(outcome(1000, first));
    const latest = board.get("sw")!.latest!;
    expect(latest).toEqual({ at: 1000, samples: first });
    // The outcome's objects are not what the board keeps (they may die with the outcome).
    expect(latest.samples[0]).not.toBe(first[0]);
    expect(latest.samples[0]!.labels).toBe(eth0);

    const kept = latest.samples[1];
    board.record(
      outcome(2000, [
        { metric: "if_oper_up", value: 0, labels: eth0 },
        { metric: "system_uptime_seconds", value: 11.25 },
      ]),
    );
    expect(board.get("sw")!.latest).toEqual({
      at: 2000,
      samples: [
        { metric: "if_oper_up", value: 0, labels: eth0 },
        { metric: "system_uptime_seconds", value: 11.25 },
      ],
    });
    expect(board.get("sw")!.latest!.samples[1]).toBe(kept);

    // A failed poll leaves the last good samples; a new shape (labels object, order, count) replaces them.
    board.record({ ...outcome(2500, []), error: new PollError("timeout", "no answer") });
    expect(board.get("sw")!.latest!.at).toBe(2000);
    board.record(outcome(3000, []));
    expect(board.get("sw")!.latest).toEqual({ at: 3000, samples: [] });
    board.record(outcome(4000, [{ metric: "if_oper_up", value: 1, labels: { ifname: "eth0" } }]));
    board.record(outcome(5000, [{ metric: "if_oper_up", value: 0, labels: { ifname: "eth1" } }]));
    expect(board.get("sw")!.latest).toEqual({
      at: 5000,
      samples: [{ metric: "if_oper_up", value: 0, labels: { ifname: "eth1" } }],
    });
  });
});
