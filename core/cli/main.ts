// The `dynamo` command (CONTRACT.md). Bad arguments exit 2 with a one-line error; an
// unreachable endpoint exits 1 with a one-line error naming it.
//
// Commands that live outside core join through `extensions`: bin/dynamo.js passes the
// benchmark's `addBenchCommand` (bench/command.ts), so core never imports bench/ while
// `dynamo bench` stays one command of the same program.

import { Command, CommanderError } from 'commander';
import { ClientError } from '../api/client.js';
import { CliExit } from '../cli-kit/exit.js';
import { addClusterCommands } from './cluster-command.js';
import { addConsoleCommand } from './console-command.js';
import { addDataCommands } from './data-commands.js';
import { addResolveCommand } from './resolve-command.js';

/** Adds commands to the program; how packages outside core (the benchmark) extend `dynamo`. */
export type CommandExtension = (program: Command) => void;

/** The `dynamo` program: core's commands, then each extension's, in order. */
export function buildProgram(extensions: readonly CommandExtension[] = []): Command {
  const program = new Command();
  program
    .name('dynamo')
    .description("dynamo-desk: Amazon's Dynamo in TypeScript")
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  addClusterCommands(program);
  addDataCommands(program);
  addResolveCommand(program);
  addConsoleCommand(program);
  for (const extend of extensions) extend(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the program on `argv` (process.argv) and exits as CONTRACT.md says. */
export async function main(argv: string[], extensions: readonly CommandExtension[] = []): Promise<void> {
  const program = buildProgram(extensions);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; everything else is a usage error (commander has
      // already printed its one-line message).
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      process.exit(2);
    }
    if (error instanceof CliExit) {
      process.stderr.write(`dynamo: ${error.message}\n`);
      process.exit(error.status);
    }
    if (error instanceof ClientError) {
      process.stderr.write(`dynamo: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`dynamo: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  }
}
