// A deliberate end of a CLI command with an exit status and a one-line message.

export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
