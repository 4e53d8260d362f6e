/**
 * Runs a command of the `emcomm` CLI inside the test's process, where its output can be read and
 * its daemon or store is the test's.
 */
import { Command } from "commander";
import { vi } from "vitest";

/**
 * `register` adds the command to a fresh program, `args` follow "emcomm". Returns what it wrote to
 * stdout and stderr and the exit code it set (0 when none); the process's exit code is left as it
 * was. A parse error (commander's, with exitOverride) is thrown.
 */
export async function runCommand(
  register: (program: Command) => void,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(["node", "emcomm", ...args]);
    return { code: Number(process.exitCode ?? 0), out: out.join(""), err: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = exitCode;
  }
}
