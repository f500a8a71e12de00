// A deliberate end of a CLI command with an exit status and a one-line message. Any command,
// core's or the benchmark's, throws it; core/cli/main.ts prints the message and exits.

export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
