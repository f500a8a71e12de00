// `dynamo resolve --endpoint URL BUCKET KEY (--keep N | --value V | -)`: reconciliation for
// scripts. Reads the key (every version and the context that covers them), writes sibling N or
// the given value with that context, then reads again and prints what remains.
// Exit status: 0 one version remains, 4 a concurrent write left siblings, 3 not found,
// 2 bad arguments, 1 an unreachable endpoint or an error answer.

import type { Command } from 'commander';
import type { DynamoClient, SiblingView } from '../api/client.js';
import { CliExit } from '../cli-kit/exit.js';
import { integerIn } from '../cli-kit/options.js';
import { requestQuorumMax } from '../host/limits.js';
import { client, failWith, readStdin, withEndpoint } from './data-commands.js';

interface ResolveOptions {
  endpoint: string;
  token?: string;
  keep?: number;
  value?: string;
  contentType?: string;
  w?: number;
}

/** Every live version of the key and the context covering them; exit 3 when there is none. */
async function readVersions(dynamo: DynamoClient, bucket: string, key: string): Promise<{ context: string; siblings: SiblingView[] }> {
  const read = await dynamo.get(bucket, key, { json: true });
  if (read.status === 404) throw new CliExit(3, `not found: ${bucket}/${key}`);
  if (!('siblings' in read)) failWith(read as never);
  return { context: read.context, siblings: read.siblings };
}

function describe(sibling: SiblingView, index: number): string {
  const dot = `${sibling.dot.node}:${sibling.dot.counter}`;
  return `--- version ${index + 1} ${dot} clock ${JSON.stringify(sibling.clock)} ${sibling.contentType} ${sibling.lastModified}\n${Buffer.from(sibling.value).toString('utf8')}\n`;
}

export function addResolveCommand(program: Command): void {
  withEndpoint(program.command('resolve').description('write one version of a key over all its siblings, then print what remains'))
    .argument('<bucket>')
    .argument('<key>')
    .argument('[value]', '- to read the resolved value from standard input')
    .option('--keep <n>', 'keep sibling n (1-based, as `dynamo get` numbers them)', integerIn(1, 1_000_000))
    .option('--value <value>', 'write this value')
    .option('--content-type <type>', "content type of a given value (default: the siblings' own, when they share one)")
    .option('--w <w>', 'write quorum for this request', integerIn(1, requestQuorumMax))
    .action(async (bucket: string, key: string, stdinMark: string | undefined, options: ResolveOptions) => {
      const choices = [options.keep !== undefined, options.value !== undefined, stdinMark === '-'].filter(Boolean).length;
      if (stdinMark !== undefined && stdinMark !== '-') throw new CliExit(2, `unexpected argument ${stdinMark}: give the value with --value or - for standard input`);
      if (choices !== 1) throw new CliExit(2, 'give exactly one of --keep N, --value V or - (standard input)');
      const dynamo = client(options);
      try {
        const before = await readVersions(dynamo, bucket, key);
        let value: Uint8Array;
        let contentType: string;
        if (options.keep !== undefined) {
          const kept = before.siblings[options.keep - 1];
          if (kept === undefined) throw new CliExit(2, `--keep ${options.keep}: the key has ${before.siblings.length} version(s)`);
          value = kept.value;
          contentType = kept.contentType;
        } else {
          value = options.value !== undefined ? Buffer.from(options.value, 'utf8') : await readStdin();
          const types = new Set(before.siblings.map((s) => s.contentType));
          contentType = options.contentType ?? (types.size === 1 ? [...types][0] : 'text/plain');
        }
        const written = await dynamo.put(bucket, key, value, { context: before.context, contentType, w: options.w });
        if (written.status !== 204) failWith(written as never);
        const after = await readVersions(dynamo, bucket, key);
        process.stdout.write(after.siblings.map(describe).join(''));
        if (after.siblings.length > 1) {
          throw new CliExit(4, `${after.siblings.length} versions remain: a concurrent write arrived; resolve again`);
        }
        process.stderr.write(`resolved ${before.siblings.length} version(s) into one\n`);
      } finally {
        await dynamo.close();
      }
    });
}
