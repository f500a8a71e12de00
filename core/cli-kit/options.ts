// Argument parsers shared by every command-line program of the project: the `dynamo` command's
// own commands (core/cli) and the benchmark's (bench/command.ts). A bad value throws
// commander's InvalidArgumentError, which the CLI turns into a one-line error and exit status 2.

import { InvalidArgumentError } from 'commander';
import { parseAddress } from '../net/address.js';

export function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?[0-9]+$/.test(raw)) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return value;
  };
}

/** A fraction from 0 to 1 in decimal notation (0.01, .5, 1). */
export function fraction(raw: string): number {
  const value = /^(?:[0-9]{1,3}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError('expected a fraction from 0 to 1, such as 0.01');
  return value;
}

export function onOff(raw: string): boolean {
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new InvalidArgumentError('expected on or off');
}

export function powerOfTwo(min: number, max: number) {
  const parse = integerIn(min, max);
  return (raw: string): number => {
    const value = parse(raw);
    if ((value & (value - 1)) !== 0) throw new InvalidArgumentError(`expected a power of two from ${min} to ${max}`);
    return value;
  };
}

export function endpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:8001');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http:// URL');
  return raw.replace(/\/+$/, '');
}

export function hostPortList(raw: string): string[] {
  const list = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  for (const item of list) {
    if (parseAddress(item) === undefined) throw new InvalidArgumentError(`expected host:port, got ${item}`);
  }
  return list;
}

export function nodeIdArg(raw: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw) || raw in Object.prototype) {
    throw new InvalidArgumentError('a node id is 1 to 64 letters, digits, _ . or -');
  }
  return raw;
}

/** Checks R and W against N once all three are known. */
export function checkQuorum(n: number, r: number, w: number): string | undefined {
  if (r > n) return `--r ${r} is larger than --n ${n}`;
  if (w > n) return `--w ${w} is larger than --n ${n}`;
  return undefined;
}
