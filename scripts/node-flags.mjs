/**
 * The Node flags the daemon runs with, wherever it is started: the `emcomm` command's first line
 * (bin/emcomm.js), `npm start` (scripts/start.mjs), `npm run emcomm` (package.json) and the fleet
 * bench's processes (bench/fleet.ts); test/cli.test.ts keeps them the same.
 *
 * `--max-semi-space-size=8` (MB): V8's young generation grows to 2 × 16 MB by default while a
 * fleet's polls allocate, and keeps it. With 8 MB semi-spaces, 1,000 SNMP devices every 10 s
 * peaked at 136–142 MB RSS against 147–156 MB (seven runs against seven, same CPU per poll), and
 * 10,000 devices at 432–461 against 477–512 MB, for 24–30 % of a core against 20–26 % (three
 * runs each: more young collections). README "SNMP at fleet size" has the figures.
 */
export const DAEMON_NODE_FLAGS = ["--max-semi-space-size=8"];
