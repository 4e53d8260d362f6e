/**
 * The duty console's end-to-end setup: the demo (whole inventory on simulators, real daemon) with a
 * temp config derived from config/emcomm.yaml: the trunking dispatch console polled every second
 * and declared down after two failed polls (so an injected fault opens a ticket in ~2 s instead of
 * the inventory's 30 s × 3), a consultation's response clock of 8 s, and four API tokens (engineer, second engineer, supervisor) read
 * from environment variables. Used by the browser tests (browserSession: the demo and Chromium for
 * a test file) and by `tsx test/e2e/console-setup.ts` to run the same daemon by hand.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { parse, stringify } from "yaml";
import { type Demo, startDemo } from "../../simulators/demo.ts";

const root = new URL("../../", import.meta.url).pathname;

export const tokens = {
  engineer: "e2e-engineer-token-1b7c",
  engineer2: "e2e-engineer2-token-55aa",
  supervisor: "e2e-supervisor-token-9f3e",
  viewer: "e2e-viewer-token-c0de",
} as const;

export const FAULTY = "trunking-console";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** Where the browser tests write their screenshots. */
export const shots = join(root, "test-results");

/**
 * Debian's Chromium, headless, without the background connections this machine's closed network
 * refuses; launch() gives it a fresh temporary profile every run.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function startConsoleDemo(options: { port?: number; log?: pino.Logger } = {}): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-console-"));
  const raw = parse(readFileSync(join(root, "config/emcomm.yaml"), "utf8"));
  for (const d of raw.devices) if (d.id === FAULTY) d.interval = "1s";
  raw.sla = {
    ...(raw.sla ?? {}),
    health: { ...(raw.sla?.health ?? {}), downAfterPolls: 2, upAfterPolls: 1 },
    // A consultation's response clock of 8 s, so a test sees a clock turn amber and then red.
    clocks: { ...(raw.sla?.clocks ?? {}), consult: { respond: "8s", onsite: "4h", repair: "12h" } },
    api: {
      openReadsOnLoopback: true,
      tokens: [
        { name: "eng-li", role: "engineer", token: { env: "EMCOMM_E2E_ENGINEER" } },
        { name: "eng-wang", role: "engineer", token: { env: "EMCOMM_E2E_ENGINEER2" } },
        { name: "sup-zhao", role: "supervisor", token: { env: "EMCOMM_E2E_SUPERVISOR" } },
        { name: "view-chen", role: "viewer", token: { env: "EMCOMM_E2E_VIEWER" } },
      ],
    },
  };
  process.env.EMCOMM_E2E_ENGINEER = tokens.engineer;
  process.env.EMCOMM_E2E_ENGINEER2 = tokens.engineer2;
  process.env.EMCOMM_E2E_SUPERVISOR = tokens.supervisor;
  process.env.EMCOMM_E2E_VIEWER = tokens.viewer;
  const configFile = join(dir, "emcomm.yaml");
  writeFileSync(configFile, stringify(raw));
  return startDemo({
    configFile,
    port: options.port ?? 0,
    dataDir: join(dir, "data"),
    log: options.log ?? pino({ level: "silent" }),
    // The test injects its own fault; the demo's round-robin faults would open tickets mid-test.
    scenario: false,
    // The test declares the command vehicle deployed itself, from the page: start it in the garage.
    deploy: false,
  });
}

/** What a browser test file runs against; set once its beforeAll has run (see browserSession). */
export interface BrowserSession {
  demo: Demo;
  url: string;
  browser: Browser;
  /** Contexts the tests open, closed after the file. */
  contexts: BrowserContext[];
  /** Errors the pages threw (a test expects none). */
  pageErrors: string[];
}

/**
 * Call once at the top of a browser test file: before its tests the demo and a headless Chromium
 * start (when Chromium is installed; screenshots' folder made), after them the contexts, Chromium
 * and the demo are closed.
 */
export function browserSession(): BrowserSession {
  const session = { url: "", contexts: [], pageErrors: [] } as unknown as BrowserSession;
  beforeAll(async () => {
    if (!hasChromium) return;
    mkdirSync(shots, { recursive: true });
    session.demo = await startConsoleDemo();
    session.url = session.demo.daemon.url!;
    session.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const c of session.contexts) await c.close().catch(() => {});
    await session.browser?.close();
    await session.demo?.stop();
  });
  return session;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const demo = await startConsoleDemo({ port: Number(process.env.PORT ?? 0) });
  console.log(`console ${demo.daemon.url}/  faults ${demo.controlUrl}/faults`);
  console.log(tokens);
}
