import type { Logger } from "pino";

/**
 * Keeps the process alive until SIGINT or SIGTERM, then runs `stop` once, with a hard exit if
 * it has not finished within `hardLimitMs`. A second signal exits at once.
 */
export function stopOnSignal(log: Logger, stop: () => Promise<void>, hardLimitMs = 30_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, "second signal: exiting now");
        process.exit(130);
      }
      stopping = true;
      log.info({ signal }, "stopping");
      const hard = setTimeout(() => {
        log.error("shutdown took too long: exiting");
        process.exit(1);
      }, hardLimitMs);
      hard.unref();
      stop()
        .catch((err) => log.error({ err }, "shutdown failed"))
        .finally(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve();
        });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
