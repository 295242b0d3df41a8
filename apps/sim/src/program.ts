// The k-sim command tree. Each subcommand is a thin layer over a package API; `run` takes the
// argument vector and output streams so tests drive the CLI without spawning a process.
import { Command, CommanderError } from 'commander';
import { bootCommand } from './boot.js';
import { romCommand } from './rom.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('k-sim')
    .description('Boot the k PC and kernel, run programs, and cross-check the Linux and FreeBSD allocators.')
    .version('0.0.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  program.addCommand(bootCommand(io));
  program.addCommand(romCommand(io));
  return program;
}

/** Runs k-sim with `argv` (without the node and script names); resolves to the exit status. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  // Commands report their status through process.exitCode; keep the caller's value apart so one
  // run's status never leaks into the next (tests call run() many times in one process).
  const callerExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`k-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.exitCode = callerExitCode;
  }
}
