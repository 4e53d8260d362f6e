// Installs what the two commands need on a fresh clone: npm packages (when node_modules is
// missing or older than the lockfile) and, for the test suite, the Debian packages of the real
// peers the tests run against. Plain Node, no dependencies: it runs before npm install.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

/** Debian package → a file it installs; tests and benches start these peers with peers/index.ts. */
export const debianPeers = {
  // SNMP (drivers/snmp): net-snmp's tools read our simulator and send traps; a real agent to poll;
  // prometheus-snmp-exporter is the benchmark's anchor.
  snmp: "/usr/bin/snmpget",
  snmpd: "/usr/sbin/snmpd",
  snmptrapd: "/usr/sbin/snmptrapd",
  "prometheus-snmp-exporter": "/usr/bin/prometheus-snmp-exporter",
  // Modbus (drivers/modbus): libmodbus's master reads our simulator; pymodbus is a server we did not
  // write (it does not import without the two serial packages, which are only "recommends").
  mbpoll: "/usr/bin/mbpoll",
  "python3-pymodbus": "/usr/lib/python3/dist-packages/pymodbus/__init__.py",
  "python3-serial": "/usr/lib/python3/dist-packages/serial/__init__.py",
  "python3-serial-asyncio": "/usr/lib/python3/dist-packages/serial_asyncio/__init__.py",
  // MQTT (Beidou driver, event publisher): a real broker and its clients.
  mosquitto: "/usr/sbin/mosquitto",
  "mosquitto-clients": "/usr/bin/mosquitto_pub",
  // Sinks: VictoriaMetrics speaks the InfluxDB v2 write API; InfluxDB 1.x runs the dashboards' InfluxQL.
  "victoria-metrics": "/usr/bin/victoria-metrics",
  influxdb: "/usr/bin/influxd",
  // Alerting: prometheus + promtool, alertmanager + amtool.
  prometheus: "/usr/bin/promtool",
  "prometheus-alertmanager": "/usr/bin/amtool",
  // Reports: a second, independent XLSX reader.
  "python3-openpyxl": "/usr/lib/python3/dist-packages/openpyxl/__init__.py",
  // The duty console's browser tests: Debian's Chromium driven by playwright-core (no download), and
  // a CJK font so the Chinese in the screenshots is legible.
  chromium: "/usr/bin/chromium",
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
