// `dynamo put | get | delete | join | leave | repair | status`: one HTTP request each through
// DynamoClient (`dynamo resolve` is in resolve-command.ts).
// Exit status: 0 done, 1 unreachable endpoint or an error answer, 3 not found (get).

import type { Command } from 'commander';
import { DynamoClient } from '../api/client.js';
import { CliExit } from '../cli-kit/exit.js';
import { endpointUrl, integerIn } from '../cli-kit/options.js';
import { ringSizeMax } from '../common/limits.js';
import { repairTimeoutMs, requestQuorumMax } from '../host/limits.js';

interface EndpointOptions {
  endpoint: string;
  token?: string;
}

export function client(options: EndpointOptions & { timeoutMs?: number }): DynamoClient {
  return new DynamoClient(options.endpoint, { token: options.token ?? process.env.DYNAMO_TOKEN, timeoutMs: options.timeoutMs });
}

export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function failWith(result: { status: number; error: string; message: string }): never {
  throw new CliExit(1, `error ${result.status} ${result.error}: ${result.message}`);
}

/** The options of every command that talks to one node. */
export const withEndpoint = (command: Command) =>
  command
    .requiredOption('--endpoint <url>', 'a node of the cluster, e.g. http://127.0.0.1:8001', endpointUrl)
    .option('--token <token>', 'bearer token (or DYNAMO_TOKEN)');

export function addDataCommands(program: Command): void {
  withEndpoint(program.command('put').description('write a value; prints the new context'))
    .argument('<bucket>')
    .argument('<key>')
    .argument('<value>', 'the value, or - to read it from standard input')
    .option('--context <context>', 'the context of the version(s) this write replaces')
    .option('--w <w>', 'write quorum for this request', integerIn(1, requestQuorumMax))
    .option('--dw <n>', 'acks that must be durable (synced to disk before the ack), 0 to w', integerIn(0, requestQuorumMax))
    .option('--content-type <type>', 'content type of the value', 'text/plain')
    .action(async (bucket: string, key: string, value: string, options) => {
      const dynamo = client(options);
      try {
        const bytes = value === '-' ? await readStdin() : Buffer.from(value, 'utf8');
        const result = await dynamo.put(bucket, key, bytes, {
          context: options.context,
          w: options.w,
          dw: options.dw,
          contentType: options.contentType,
        });
        if (result.status !== 204 || !('context' in result)) failWith(result as never);
        process.stdout.write(`${result.context}\n`);
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('get').description('read a key: its value, or every sibling with its clock'))
    .argument('<bucket>')
    .argument('<key>')
    .option('--r <r>', 'read quorum for this request', integerIn(1, requestQuorumMax))
    .option('--json', 'print the JSON sibling envelope')
    .action(async (bucket: string, key: string, options) => {
      const dynamo = client(options);
      try {
        const result = await dynamo.get(bucket, key, { r: options.r, json: options.json });
        if (result.status === 404) throw new CliExit(3, `not found: ${bucket}/${key}`);
        if (result.status === 200 && 'value' in result) {
          process.stdout.write(Buffer.from(result.value));
          if (process.stdout.isTTY) process.stdout.write('\n');
          return;
        }
        if (result.status === 300 && 'siblings' in result) {
          if (options.json) {
            const siblings = result.siblings.map((s) => ({ ...s, value: Buffer.from(s.value).toString('base64') }));
            process.stdout.write(`${JSON.stringify({ context: result.context, siblings }, null, 2)}\n`);
            return;
          }
          process.stdout.write(`${result.siblings.length} siblings; context ${result.context}\n`);
          result.siblings.forEach((sibling, index) => {
            process.stdout.write(
              `--- sibling ${index + 1} clock ${JSON.stringify(sibling.clock)} ${sibling.contentType} ${sibling.lastModified}\n`,
            );
            process.stdout.write(`${Buffer.from(sibling.value).toString('utf8')}\n`);
          });
          return;
        }
        failWith(result as never);
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('delete').description('delete a key (writes a tombstone)'))
    .argument('<bucket>')
    .argument('<key>')
    .option('--context <context>', 'the context of the version(s) this delete replaces')
    .option('--w <w>', 'write quorum for this request', integerIn(1, requestQuorumMax))
    .option('--dw <n>', 'acks that must be durable (synced to disk before the ack), 0 to w', integerIn(0, requestQuorumMax))
    .action(async (bucket: string, key: string, options) => {
      const dynamo = client(options);
      try {
        const result = await dynamo.delete(bucket, key, { context: options.context, w: options.w, dw: options.dw });
        if (result.status !== 204) failWith(result as never);
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('join').description('ask the node to join the cluster its seed belongs to'))
    .option('--seed <host:peerport>', 'a node of the cluster (default: the seeds the node was started with)')
    .action(async (options) => {
      const dynamo = client(options);
      try {
        const answer = await dynamo.json('POST', '/v1/admin/join', options.seed === undefined ? {} : { seed: options.seed });
        if (answer.status !== 202) failWith({ status: answer.status, error: answer.body.error, message: answer.body.message });
        process.stdout.write(`joining through ${answer.body.joining}; progress: dynamo status --endpoint ${options.endpoint}\n`);
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('leave').description('ask the node to hand its partitions off and leave'))
    .action(async (options) => {
      const dynamo = client(options);
      try {
        const answer = await dynamo.json('POST', '/v1/admin/leave', {});
        if (answer.status !== 202) failWith({ status: answer.status, error: answer.body.error, message: answer.body.message });
        process.stdout.write(`${answer.body.leaving} is leaving; progress: dynamo status --endpoint ${options.endpoint}\n`);
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('repair').description("run anti-entropy now on the node's partitions and print the report and the keys it repaired"))
    .option('--peer <id>', 'exchange with this replica only')
    .option('--partition <index>', 'compare this partition only (one the node replicates)', integerIn(0, ringSizeMax - 1))
    .action(async (options) => {
      const dynamo = client({ ...options, timeoutMs: repairTimeoutMs });
      try {
        const body = { ...(options.peer === undefined ? {} : { peer: options.peer }), ...(options.partition === undefined ? {} : { partition: options.partition }) };
        const answer = await dynamo.json('POST', '/v1/admin/anti-entropy', body);
        if (answer.status !== 200) failWith({ status: answer.status, error: answer.body.error, message: answer.body.message });
        process.stdout.write(repairReport(answer.body));
      } finally {
        await dynamo.close();
      }
    });

  withEndpoint(program.command('status').description('members, their states, ring ownership, hints and transfers'))
    .option('--json', 'print the raw /v1/status answer')
    .action(async (options) => {
      const dynamo = client(options);
      try {
        const status = await dynamo.json('GET', '/v1/status');
        if (status.status !== 200) failWith({ status: status.status, error: status.body.error, message: status.body.message });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(status.body, null, 2)}\n`);
          return;
        }
        const ring = await dynamo.json('GET', '/v1/ring');
        const owned = new Map<string, number>();
        for (const partition of ring.body.partitions ?? []) owned.set(partition.owner, (owned.get(partition.owner) ?? 0) + 1);
        const s = status.body;
        process.stdout.write(`node ${s.id} (pid ${s.pid}) ring ${s.ringSize} partitions, N=${s.n} R=${s.r} W=${s.w}\n`);
        process.stdout.write(`${'member'.padEnd(10)}${'state'.padEnd(10)}${'partitions'.padEnd(12)}${'http'.padEnd(22)}peer\n`);
        for (const member of s.members) {
          process.stdout.write(
            `${String(member.id).padEnd(10)}${String(member.state).padEnd(10)}${String(owned.get(member.id) ?? 0).padEnd(12)}` +
              `${String(member.http).padEnd(22)}${member.peer}\n`,
          );
        }
        process.stdout.write(`hints pending ${s.hintsPending}, transfers pending ${s.transfersPending}\n`);
      } finally {
        await dynamo.close();
      }
    });
}

/** The report of `dynamo repair`: the totals, then one line per repaired key (bucket/key, partition, peer, the side behind). */
export function repairReport(run: {
  partitionsCompared: number;
  segmentsDiffering: number;
  keysRepaired: number;
  bytesSent: number;
  repairedKeys?: Array<{ bucket: string; key: string; partition: number; peer: string; behind: string }>;
  repairedKeysOmitted?: number;
  peersFailed?: Array<{ peer: string; error: string }>;
}): string {
  let text =
    `partitions compared ${run.partitionsCompared}, segments differing ${run.segmentsDiffering}, ` +
    `keys repaired ${run.keysRepaired}, bytes sent ${run.bytesSent}\n`;
  for (const key of run.repairedKeys ?? []) text += `${key.bucket}/${key.key} partition ${key.partition} peer ${key.peer} behind ${key.behind}\n`;
  if ((run.repairedKeysOmitted ?? 0) > 0) text += `(${run.repairedKeysOmitted} more repaired keys not listed)\n`;
  for (const failure of run.peersFailed ?? []) text += `went on without ${failure.peer}: ${failure.error}\n`;
  return text;
}
