/**
 * Running host commands (`ip`, `nsenter`, `iptables-restore`) for the proxy
 * behind a small interface, so the code that decides which commands to run
 * is tested with a recording runner instead of touching the host.
 */
import { execFile } from 'node:child_process';

/** The outcome of one command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args…`, feeding `input` on stdin when given. Never rejects for a non-zero exit (see `code`). */
export type CommandRunner = (cmd: string, args: readonly string[], input?: string) => Promise<CommandResult>;

/** A {@link CommandRunner} over `child_process.execFile` (a missing binary is code 127). */
export const execRunner: CommandRunner = (cmd, args, input) =>
  new Promise((resolve) => {
    const child = execFile(cmd, [...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === 127 ? err.message : '')) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
