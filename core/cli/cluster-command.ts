// `dynamo cluster start` and `dynamo node start`: run nodes in the foreground. A cluster is a
// local cluster under a supervisor (core/host/local-cluster.ts); a single node runs in this
// very process (core/host/node-process.ts, loaded only then, so that the other commands never
// load the server). Both stop cleanly on SIGINT and SIGTERM.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { CliExit } from '../cli-kit/exit.js';
import { checkQuorum, fraction, hostPortList, integerIn, nodeIdArg, onOff, powerOfTwo } from '../cli-kit/options.js';
import { logLevels } from '../common/log.js';
import { historyVersionsDefault, historyVersionsMax, ringSizeMax, ringSizeMin, traceSampleDefault } from '../common/limits.js';
import {
  gossipIntervalMsMax,
  gossipIntervalMsMin,
  localClusterNodesMax,
  nodeWeightMax,
  phiThresholdMax,
  phiThresholdMin,
  replicasMax,
} from '../host/limits.js';
import { clusterSecret, startLocalCluster } from '../host/local-cluster.js';
import { ClusterStartError } from '../host/supervisor.js';

function onStopSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** The options every command that starts nodes takes (cluster start, node start, console). */
export function addNodeOptions(command: Command, tokenHelp = 'require this bearer token on every HTTP request (or DYNAMO_TOKEN)'): Command {
  return command
    .option('--ring-size <q>', 'partitions on the ring (a power of two)', powerOfTwo(ringSizeMin, ringSizeMax), 64)
    .option('--n <n>', 'replicas per key', integerIn(1, replicasMax), 3)
    .option('--r <r>', 'default read quorum', integerIn(1, replicasMax), 2)
    .option('--w <w>', 'default write quorum', integerIn(1, replicasMax), 2)
    .option('--hinted-handoff <on|off>', 'sloppy quorum with hinted handoff', onOff, true)
    .option('--cluster-secret <secret>', 'shared secret of the cluster (or DYNAMO_CLUSTER_SECRET)')
    .option('--token <token>', tokenHelp)
    .option('--gossip-interval <ms>', 'milliseconds between gossip rounds', integerIn(gossipIntervalMsMin, gossipIntervalMsMax), 1000)
    .option('--phi-threshold <phi>', 'phi-accrual level above which a silent member is down', integerIn(phiThresholdMin, phiThresholdMax), 8)
    .option('--history <n>', 'superseded versions kept per key for inspection, 0 is off (the same on every node)', integerIn(0, historyVersionsMax), historyVersionsDefault)
    .option('--trace-sample <f>', 'fraction of client requests traced, 0 to 1 (GET /v1/admin/traces)', fraction, traceSampleDefault)
    .option(
      '--sync',
      'fsync every write before acknowledging it: an acked write survives a power loss, not just a killed process (slower; without it a request can ask for durable acks with ?dw=N)',
      false,
    )
    .addOption(
      new Option('--log-level <level>', 'least severe level written to <dir>/node.log (warnings and errors also go to stderr)')
        .choices(logLevels)
        .default('info'),
    );
}

export function addClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster');
  addNodeOptions(
    cluster
      .command('start')
      .description('start a local cluster in the foreground, one process per node')
      .option('--nodes <count>', 'number of nodes', integerIn(1, localClusterNodesMax), 5)
      .option('--dir <path>', 'data directory', './data/cluster')
      .option('--base-port <port>', 'node i serves HTTP on base-port + i', integerIn(0, 65000), 8000)
      .option('--peer-base-port <port>', 'node i listens for peers on peer-base-port + i', integerIn(0, 65000), 7000),
  ).action(async (options) => {
    const problem = checkQuorum(options.n, options.r, options.w);
    if (problem !== undefined) throw new CliExit(2, problem);
    let started;
    try {
      started = await startLocalCluster(options);
    } catch (error) {
      throw new CliExit(1, error instanceof ClusterStartError ? error.message : `cannot start the cluster: ${(error as Error).message}`);
    }
    for (const node of started.supervisor.snapshot()) process.stdout.write(`${node.id} http://${node.http?.replace(/^http:\/\//, '')}\n`);
    process.stdout.write('cluster ready\n');
    onStopSignal(async () => {
      await started.supervisor.stopAll();
    });
  });

  const node = program.command('node').description('run one node');
  addNodeOptions(
    node
      .command('start')
      .description('start one node in the foreground')
      .requiredOption('--id <id>', 'node id', nodeIdArg)
      .requiredOption('--dir <path>', 'data directory')
      .requiredOption('--port <port>', 'HTTP port', integerIn(0, 65535))
      .requiredOption('--peer-port <port>', 'peer (TCP) port', integerIn(0, 65535))
      .option('--host <host>', 'interface to bind', '127.0.0.1')
      .option('--seeds <host:port,...>', 'seed nodes', hostPortList, [])
      .option('--weight <w>', 'relative share of partitions', integerIn(1, nodeWeightMax), 1)
      .option('--allow-fault-injection', 'enable POST /v1/admin/faults', false),
  ).action(async (options) => {
    const problem = checkQuorum(options.n, options.r, options.w);
    if (problem !== undefined) throw new CliExit(2, problem);
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true });
    const { startNodeProcess } = await import('../host/node-process.js');
    let running;
    try {
      running = await startNodeProcess({
        id: options.id,
        dir,
        host: options.host,
        httpPort: options.port,
        peerPort: options.peerPort,
        seeds: options.seeds,
        ringSize: options.ringSize,
        n: options.n,
        r: options.r,
        w: options.w,
        hintedHandoff: options.hintedHandoff,
        allowFaultInjection: options.allowFaultInjection,
        clusterSecret: await clusterSecret(dir, options.clusterSecret),
        token: options.token ?? process.env.DYNAMO_TOKEN,
        weight: options.weight,
        gossipIntervalMs: options.gossipInterval,
        phiThreshold: options.phiThreshold,
        logLevel: options.logLevel,
        historyVersions: options.history,
        traceSample: options.traceSample,
        sync: options.sync,
      });
    } catch (error) {
      throw new CliExit(1, `cannot start node ${options.id}: ${(error as Error).message}`);
    }
    process.stdout.write(`${running.info.id} ${running.info.http}\n`);
    onStopSignal(() => running.stop());
  });
}
