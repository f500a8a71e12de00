// Proves the message-port adapter (core/host/process-endpoint.ts `messagePortChannel`) that
// carries comlink between the main process and a node in a utilityProcess: Electron's
// `{data, ports}` events become messages both ways, nothing sent before the first listener is
// lost, the other end closing is reported, and a comlink call makes the round trip (binary
// values and errors included). Node's worker_threads MessageChannel stands in for
// MessageChannelMain (fakes.ts); `receiveMessagePort` and `connectToParent` take the node's
// port from a parentPort as a utilityProcess gets it.

import { EventEmitter } from 'node:events';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  childEndpoint,
  connectToParent,
  messagePortChannel,
  receiveMessagePort,
} from '../../core/host/process-endpoint.js';
import { fakeChannel, type FakePort } from './fakes.js';

const open: FakePort[] = [];

afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function channelPair() {
  const { port1, port2 } = fakeChannel();
  open.push(port1, port2);
  return { port1, port2, main: messagePortChannel(port1), node: messagePortChannel(port2) };
}

function nextMessage(channel: ReturnType<typeof messagePortChannel>): Promise<unknown> {
  return new Promise((resolve) => {
    const stop = channel.onMessage((message) => {
      stop();
      resolve(message);
    });
  });
}

describe('messagePortChannel', () => {
  it('delivers messages both ways as the data of the port events', async () => {
    const { main, node } = channelPair();
    const atNode = nextMessage(node);
    const atMain = nextMessage(main);

    expect(main.send({ to: 'node', bytes: new Uint8Array([0, 255]) })).toBe(true);
    expect(node.send({ to: 'main' })).toBe(true);

    expect(await atNode).toEqual({ to: 'node', bytes: new Uint8Array([0, 255]) });
    expect(await atMain).toEqual({ to: 'main' });
  });

  it('keeps what was sent before anyone listened (the port starts with the first listener)', async () => {
    const { main, node } = channelPair();
    main.send('early');
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(await nextMessage(node)).toBe('early');
  });

  it('reports the other end closing once, and sends nothing after', async () => {
    const { port2, main } = channelPair();
    let disconnects = 0;
    const closed = new Promise<void>((resolve) =>
      main.onDisconnect(() => {
        disconnects++;
        resolve();
      }),
    );

    port2.close();
    await closed;

    expect(main.send('too late')).toBe(false);
    expect(disconnects).toBe(1);
    let late = false;
    main.onDisconnect(() => (late = true));
    await Promise.resolve();
    expect(late).toBe(true);
  });

  it('makes a comlink round trip, binary values and errors included', async () => {
    const { main, node } = channelPair();
    const api = {
      async reverse(bytes: Uint8Array) {
        return Uint8Array.from(bytes).reverse();
      },
      async refuse(): Promise<void> {
        throw new Error('not now');
      },
    };
    Comlink.expose(api, childEndpoint(node));
    const remote = Comlink.wrap<typeof api>(childEndpoint(main));

    const reversed = await remote.reverse(new Uint8Array([1, 2, 3]));
    const error = await remote.refuse().then(
      () => undefined,
      (rejection: unknown) => rejection as Error,
    );

    expect(reversed).toBeInstanceOf(Uint8Array);
    expect([...reversed]).toEqual([3, 2, 1]);
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe('not now');
  });
});

describe("the node's port from its parent port", () => {
  it('receiveMessagePort resolves with the first port sent, ignoring messages without one', async () => {
    const parentPort = new EventEmitter();
    const { port1, port2 } = fakeChannel();
    open.push(port1, port2);
    const received = receiveMessagePort(parentPort);

    parentPort.emit('message', { data: 'no port here', ports: [] });
    parentPort.emit('message', { data: { type: 'dynamo:port' }, ports: [port2] });
    parentPort.emit('message', { data: 'another', ports: [port1] });

    expect(await received).toBe(port2);
  });

  it('connectToParent uses process.parentPort when the process has one (a utilityProcess)', async () => {
    const parentPort = new EventEmitter();
    const { port1, port2 } = fakeChannel();
    open.push(port1, port2);
    Object.defineProperty(process, 'parentPort', { value: parentPort, configurable: true });
    try {
      const connecting = connectToParent();
      parentPort.emit('message', { data: { type: 'dynamo:port' }, ports: [port2] });
      const channel = await connecting;
      const main = messagePortChannel(port1);
      const answer = nextMessage(main);
      channel.onMessage((message) => channel.send({ echo: message }));

      main.send('ping');

      expect(await answer).toEqual({ echo: 'ping' });
    } finally {
      Reflect.deleteProperty(process, 'parentPort');
    }
  });
});
