// The log a node writes to (structured: fields, then a message). Pure code takes a Log and never
// a logger library: the process entry gives nodes a pino logger, the simulator and tests a
// silent one or one that collects lines.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Log {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

function ignore(): void {}

/** A log that writes nothing (the simulator's default: thousands of nodes, seeded runs). */
export const silentLog: Log = { debug: ignore, info: ignore, warn: ignore, error: ignore };

export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
