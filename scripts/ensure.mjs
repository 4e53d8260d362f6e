// Installs what the two commands need on a fresh clone: npm packages (when node_modules is
// missing or older than the lockfile) and, for the test suite, the Debian packages of the real
// peers the tests run against. Plain Node, no dependencies: it runs before npm install.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

/** Debian package → a file it installs; tests use these peers (see README "Tests"). */
export const debianPeers = {
  // filled in as capabilities add real peers
  // The duty console's end-to-end test drives Debian's Chromium with playwright-core (no download).
  chromium: "/usr/bin/chromium",
  // A CJK font, so the console's Chinese is legible in the test's screenshots.
  "fonts-wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
}

export function ensureNpm() {
  const marker = `${root}node_modules/.package-lock.json`;
  const lock = `${root}package-lock.json`;
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log("› installing npm packages (npm ci)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

export function ensureDebianPeers(peers = debianPeers) {
  const missing = Object.entries(peers)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.warn(
      `! missing Debian packages for test peers (${missing.join(" ")}); run as root to install them`,
    );
    return;
  }
  console.log(`› installing Debian packages for test peers: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
  // Packaged daemons start themselves on install; tests start their own on loopback ports.
  for (const service of [
    "snmpd",
    "snmptrapd",
    "mosquitto",
    "prometheus",
    "prometheus-alertmanager",
    "influxdb",
    "victoria-metrics",
  ]) {
    try {
      execFileSync("sh", [
        "-c",
        `(systemctl stop ${service} || service ${service} stop) >/dev/null 2>&1 || true`,
      ]);
    } catch {}
  }
}
