// `npm start`: installs npm packages if needed, then runs the demo (simulated fleet, embedded store).
import { spawn } from "node:child_process";
import { ensureNpm } from "./ensure.mjs";
import { DAEMON_NODE_FLAGS } from "./node-flags.mjs";

ensureNpm();
const args = [...DAEMON_NODE_FLAGS, "bin/emcomm.js", "demo", ...process.argv.slice(2)];
const child = spawn(process.execPath, args, {
  stdio: "inherit",
  cwd: new URL("..", import.meta.url).pathname,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
