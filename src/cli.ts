/**
 * The `emcomm` command. Each subcommand is a thin shell over a module: run (production daemon),
 * demo (simulated fleet), config check/schema, poll (one-shot troubleshooting, like telegraf --test).
 */
import { Command, Option } from "commander";
import { registerSlaCommands } from "./api/cli.ts";
import { buildDriver } from "./build-driver.ts";
import { configJsonSchema } from "./config/json-schema.ts";
import { loadConfigFile } from "./config/load.ts";
import { unreadableSecrets } from "./config/secret.ts";
import { systemClock } from "./core/clock.ts";
import { ConfigError } from "./core/errors.ts";
import { createSharedResources } from "./core/resources.ts";
import { startDaemon } from "./daemon.ts";
import { createLogger } from "./log.ts";
import { registerOutboxCommands } from "./outbox/cli.ts";
import { pollOnce, printPollResults } from "./poll-once.ts";
import { registerRecordCommands } from "./records/cli.ts";
import { registerReportCommand } from "./report/cli.ts";
import { stopOnSignal } from "./run.ts";
import { StoreOpenError } from "./store/db.ts";
import { VERSION } from "./version.ts";

const program = new Command()
  .name("emcomm")
  .description("Equipment health monitoring and SLA daemon for emergency-communications networks")
  .version(VERSION)
  .showHelpAfterError();

program
  .command("run")
  .description("run the daemon on a config file (production)")
  .requiredOption("-c, --config <file>", "config file (YAML)")
  .action(async (opts: { config: string }) => {
    const config = loadOrExit(opts.config);
    const unreadable = unreadableSecrets(config);
    if (unreadable.length > 0) {
      process.stderr.write(
        `${opts.config}: ${unreadable.length} secret(s) cannot be read; not starting\n${unreadable.join("\n")}\n`,
      );
      process.exit(1);
    }
    const log = createLogger({ level: config.daemon.log.level });
    const daemon = await startDaemon({ config, log }).catch((err: unknown) => {
      if (!(err instanceof StoreOpenError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
    await stopOnSignal(log, () => daemon.stop(), config.daemon.shutdownGrace + 10_000);
  });

program
  .command("demo")
  .description("run the daemon on the whole inventory, simulated, with the embedded store")
  .option("-c, --config <file>", "inventory to simulate", "config/emcomm.yaml")
  .addOption(
    new Option("-p, --port <port>", "HTTP port of the daemon (the fault control uses the next one)")
      .default(9464)
      .argParser(Number),
  )
  .option("-d, --data-dir <dir>", "data directory of the demo's store", ".data/demo")
  .option("--host <address>", "address the daemon listens on (0.0.0.0 in a container)", "127.0.0.1")
  .action(async (opts: { config: string; port: number; dataDir: string; host: string }) => {
    const log = createLogger({ level: process.env.EMCOMM_LOG_LEVEL ?? "info" });
    // The simulators are loaded only for the demo: the daemon itself never imports them.
    const { demoBanner, startDemo } = await import("../simulators/demo.ts");
    const demo = await startDemo({
      configFile: opts.config,
      port: opts.port,
      host: opts.host,
      dataDir: opts.dataDir,
      log,
    });
    process.stdout.write(demoBanner(demo));
    await stopOnSignal(log, () => demo.stop());
  });

const configCommand = program.command("config").description("check or describe config files");

configCommand
  .command("check")
  .description("validate a config file: exit 0 if valid, else list every problem and exit 1")
  .argument("<file>")
  .option("--secrets", "also read every referenced secret (environment variables and files)")
  .action(async (file: string, opts: { secrets?: boolean }) => {
    const config = loadOrExit(file);
    if (opts.secrets) {
      const missing = unreadableSecrets(config);
      if (missing.length > 0) {
        process.stderr.write(`${file}: ${missing.length} secret(s) cannot be read\n${missing.join("\n")}\n`);
        process.exit(1);
      }
    }
    // Drivers are built without I/O; a device is monitored unless its driver is tracked by hand.
    const resources = createSharedResources();
    const ctx = { clock: systemClock, log: createLogger({ level: "silent" }), resources };
    const polled = config.devices.filter((d) => buildDriver(d, ctx).shape !== "manual").length;
    await resources.closeAll();
    process.stdout.write(
      `${file}: ok (${config.sites.length} sites, ${config.devices.length} devices, ${polled} monitored)\n`,
    );
  });

configCommand
  .command("schema")
  .description("print the JSON Schema of config files (config/emcomm.schema.json is this output)")
  .action(() => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

program
  .command("poll")
  .description("poll devices once, print every sample or error, exit 1 if any failed")
  .requiredOption("-c, --config <file>", "config file (YAML)")
  .option("--device <id...>", "only these devices")
  .option("--json", "print JSON instead of text")
  .addOption(
    new Option("--wait <seconds>", "how long to listen to streamed devices").default(15).argParser(Number),
  )
  .action(async (opts: { config: string; device?: string[]; json?: boolean; wait: number }) => {
    const config = loadOrExit(opts.config);
    const log = createLogger({
      level: process.env.EMCOMM_LOG_LEVEL ?? "warn",
      pretty: false,
      destination: process.stderr,
    });
    const results = await pollOnce(config, { deviceIds: opts.device, log, streamWaitMs: opts.wait * 1000 });
    printPollResults(results, opts.json ?? false, process.stdout);
    process.exitCode = results.some((r) => r.error) ? 1 : 0;
  });

registerReportCommand(program);

function loadOrExit(file: string) {
  try {
    return loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

registerSlaCommands(program);
registerRecordCommands(program);
registerOutboxCommands(program, loadOrExit);

await program.parseAsync(process.argv);
