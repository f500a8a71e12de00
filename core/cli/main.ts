// The `dynamo` command (CONTRACT.md). Bad arguments exit 2 with a one-line error; an
// unreachable endpoint exits 1 with a one-line error naming it.

import { Command, CommanderError } from 'commander';
import { ClientError } from '../api/client.js';
import { addBenchCommand } from '../../bench/command.js';
import { addClusterCommands } from './cluster-command.js';
import { addDataCommands } from './data-commands.js';
import { CliExit } from './exit.js';

export function buildProgram(): Command {
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
  addBenchCommand(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
