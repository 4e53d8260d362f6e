import { pino } from "pino";

/** A silent logger for tests. */
export const quietLog = pino({ level: "silent" });
