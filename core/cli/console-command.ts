// `dynamo console`: the web console (CONTRACT.md). With --nodes (the default) it runs a local
// cluster as `cluster start` would (data in --dir); with --attach URL it follows an existing
// cluster through that node. It serves the renderer, AdminApi and the event stream on
// --host:--port (127.0.0.1:3000), prints `console http://<host>:<port>` once it serves, and stops
// the cluster cleanly on SIGINT or SIGTERM. A --host beyond loopback requires --token.

import type { Command } from 'commander';
import { CliExit } from '../cli-kit/exit.js';
import type { LogLevel } from '../common/log.js';
import { addNodeOptions } from './cluster-command.js';
import { checkQuorum, endpointUrl, integerIn } from '../cli-kit/options.js';
import { localClusterNodesMax } from '../host/limits.js';

interface ConsoleOptions {
  port: number;
  host: string;
  nodes: number;
  dir: string;
  attach?: string;
  token?: string;
  nodeToken?: string;
  basePort: number;
  peerBasePort: number;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  hintedHandoff: boolean;
  clusterSecret?: string;
  gossipInterval: number;
  phiThreshold: number;
  logLevel: LogLevel;
  history: number;
  traceSample: number;
  sync: boolean;
}

export function addConsoleCommand(program: Command): void {
  addNodeOptions(
    program
      .command('console')
      .description('serve the web console over a local cluster (or one attached with --attach)')
      .option('--port <port>', 'port of the web console', integerIn(0, 65535), 3000)
      .option('--host <host>', 'interface of the web console (anything but loopback requires --token)', '127.0.0.1')
      .option('--nodes <count>', 'nodes of the local cluster', integerIn(1, localClusterNodesMax), 5)
      .option('--dir <path>', 'data directory of the local cluster', './data/console')
      .option('--attach <url>', 'follow an existing cluster through this node instead', endpointUrl)
      .option('--node-token <token>', "the nodes' bearer token, when it differs from --token")
      .option('--base-port <port>', 'node i serves HTTP on base-port + i', integerIn(0, 65000), 8000)
      .option('--peer-base-port <port>', 'node i listens for peers on peer-base-port + i', integerIn(0, 65000), 7000),
    'require this bearer token on every request (or DYNAMO_TOKEN); the nodes too',
  )
    .action(async (options: ConsoleOptions, command: Command) => {
      const token = nonEmpty(options.token) ?? nonEmpty(process.env.DYNAMO_TOKEN);
      const nodeToken = nonEmpty(options.nodeToken) ?? token;
      // Checked before anything starts: these are usage errors (exit 2).
      const { isLoopbackHost } = await import('../console/web-security.js');
      if (!isLoopbackHost(options.host) && token === undefined) {
        throw new CliExit(2, `--host ${options.host} exposes the console beyond this machine: give --token too`);
      }
      if (options.attach !== undefined && command.getOptionValueSource('nodes') === 'cli') {
        throw new CliExit(2, '--attach follows an existing cluster: --nodes does not apply');
      }
      const problem = checkQuorum(options.n, options.r, options.w);
      if (problem !== undefined) throw new CliExit(2, problem);
      await serve(options, token, nodeToken);
    });
}

async function serve(options: ConsoleOptions, token: string | undefined, nodeToken: string | undefined): Promise<void> {
  // Loaded only now, so that other commands never load the console and its server.
  const [{ createLocalConsole }, { createAttachedConsole }, { startWebConsole }, { toAdminFailure }] = await Promise.all([
    import('../console/local-console.js'),
    import('../console/attached-console.js'),
    import('../console/web-server.js'),
    import('../console/errors.js'),
  ]);
  let api;
  try {
    api =
      options.attach !== undefined
        ? await createAttachedConsole({ url: options.attach, token: nodeToken })
        : await createLocalConsole({
            dir: options.dir,
            nodes: options.nodes,
            basePort: options.basePort,
            peerBasePort: options.peerBasePort,
            ringSize: options.ringSize,
            n: options.n,
            r: options.r,
            w: options.w,
            hintedHandoff: options.hintedHandoff,
            clusterSecret: options.clusterSecret,
            token: nodeToken,
            gossipInterval: options.gossipInterval,
            phiThreshold: options.phiThreshold,
            logLevel: options.logLevel,
            history: options.history,
            traceSample: options.traceSample,
            sync: options.sync,
          });
  } catch (error) {
    const what = options.attach !== undefined ? `cannot attach to ${options.attach}` : 'cannot start the cluster';
    throw new CliExit(1, `${what}: ${toAdminFailure(error).message}`);
  }
  let web;
  try {
    web = await startWebConsole({ api, host: options.host, port: options.port, token });
  } catch (error) {
    await api.close().catch(() => undefined);
    throw new CliExit(1, `cannot serve the console on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  process.stdout.write(`console ${web.url}\n`);
  if (token !== undefined) process.stdout.write(`open ${web.url}/?token=${encodeURIComponent(token)} in a browser; API clients send Authorization: Bearer <token>\n`);

  const server = web;
  const service = api;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    (async () => {
      await server.close();
      await service.close();
    })().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`dynamo: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
