import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "drivers/**/*.test.ts", "simulators/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: integration tests start real peers; keep parallelism modest.
    maxWorkers: 2,
  },
});
