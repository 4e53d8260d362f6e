/** Types of scripts/node-flags.mjs (read there why). */
export declare const DAEMON_NODE_FLAGS: readonly string[];
