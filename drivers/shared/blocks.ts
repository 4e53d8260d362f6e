/**
 * Which of a profile's blocks a device answers. A block the device does not have (illegal data
 * address, 404) is reported as `emcomm_profile_block_supported{block} 0` and logged once (again
 * only after it answers), and the rest of the poll stands; a device that answers none of its
 * profile's blocks is not what the profile says, and the poll fails with the first block's error.
 */
import type { PollError } from "../../src/core/errors.ts";
import type { DriverContext, Sample } from "../../src/core/types.ts";
import { BLOCK_SUPPORTED } from "./model.ts";

/**
 * The labels object of a block's `profile_block_supported` sample: one per block name, reused by
 * every poll and every device. Consumers cache by the labels object (the metrics page's lines, the
 * InfluxDB sink's plan): a new object each poll would rebuild both every poll.
 */
const blockLabelObjects = new Map<string, Readonly<Record<string, string>>>();
export function blockLabels(block: string): Readonly<Record<string, string>> {
  let labels = blockLabelObjects.get(block);
  if (!labels) {
    labels = Object.freeze({ block });
    blockLabelObjects.set(block, labels);
  }
  return labels;
}

export class BlockSupport {
  /** Blocks already logged as unsupported. */
  private readonly unsupported = new Set<string>();

  constructor(
    private readonly device: string,
    private readonly log: DriverContext["log"],
  ) {}

  /** One sample per block for this poll, given the blocks that were missing and why. */
  samples(blocks: readonly string[], missing: ReadonlyMap<string, PollError>): Sample[] {
    if (blocks.length > 0 && missing.size === blocks.length) throw missing.values().next().value!;
    return blocks.map((block) => {
      const gone = missing.get(block);
      if (gone && !this.unsupported.has(block)) {
        this.log.warn(
          { device: this.device, block, err: gone.message },
          "profile block unsupported by the device",
        );
        this.unsupported.add(block);
      } else if (!gone && this.unsupported.delete(block)) {
        this.log.info({ device: this.device, block }, "profile block answered again");
      }
      return { metric: BLOCK_SUPPORTED.name, value: gone ? 0 : 1, labels: blockLabels(block) };
    });
  }
}
