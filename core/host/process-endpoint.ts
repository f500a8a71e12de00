// Comlink endpoints over a process's message channel (DESIGN.md rule 3; TOOLCHAIN.md "comlink
// over processes"). Comlink's own node adapter fits worker_threads only: a child process has
// `send` and 'message' events instead of `postMessage` and `{data}` events, so these adapters
// map one onto the other.
//
// The same channel also carries process events (lifecycle notices such as 'ready', and
// whatever a node streams to its supervisor: comlink proxies cannot cross process IPC, so
// callbacks are no way to stream). Every message is therefore wrapped in an envelope that says
// which of the two it is: `{__comlink: message}` or `{__event: event}`.
//
// A parent endpoint also answers for a child that died: every call still waiting when the
// process exits, and every call made after that, is rejected with a `PROCESS_EXITED` error
// instead of hanging forever.
//
// Under Electron a node runs in a `utilityProcess` instead of a forked child: it has no
// `process.send` but `process.parentPort`, on which the parent sends it one `MessageChannelMain`
// port (VS Code's manner). `connectToParent` picks whichever the process has, and
// `messagePortChannel` carries the same envelopes over such a port, so the node entry and the
// launcher do not change.

import { ChildProcess } from 'node:child_process';
import type { Endpoint } from 'comlink';
import { CodedError } from '../common/coded-error.js';
import {
  childProcessHandle,
  describeProcessExit,
  type ProcessExit,
  type ProcessHandle,
} from './process-handle.js';

/** A message of our own between a node process and its parent; not an RPC. */
export interface ProcessEvent {
  type: string;
  payload?: unknown;
}

/** A comlink endpoint that can be detached from its process channel. */
export interface ProcessEndpoint extends Endpoint {
  /**
   * Removes the endpoint's listeners from the channel. Calls still waiting are rejected, and
   * so is every later call: nothing made through a closed endpoint waits forever.
   */
  close(): void;
}

/** The child's side of its channel to the parent. */
export interface ParentChannel {
  /** Sends one message; returns false when the channel is closed. */
  send(message: unknown): boolean;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the parent closes the channel or dies. */
  onDisconnect(listener: () => void): () => void;
}

/** Code of the error a call gets when its process exited before answering. */
export const processExitedCode = 'PROCESS_EXITED';

/** What a call made through a parent endpoint rejects with once the process is gone. */
export class ProcessExitedError extends CodedError<typeof processExitedCode> {
  override name = 'ProcessExitedError';
  constructor(message: string) {
    super(processExitedCode, message);
  }
}

/**
 * True for an error that says the process exited before answering. Errors cross comlink as
 * plain `Error`s with the original's fields copied, so this looks at `code`, not the class.
 */
export function isProcessExitedError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === processExitedCode;
}

const comlinkKey = '__comlink';
const eventKey = '__event';

type Listener = Parameters<Endpoint['addEventListener']>[1];

/**
 * The parent's endpoint to a child: pass it to `Comlink.wrap`. Accepts a forked `ChildProcess`
 * (forked with `serialization: 'advanced'` and an IPC channel) or any `ProcessHandle`.
 */
export function parentEndpoint(target: ChildProcess | ProcessHandle): ProcessEndpoint {
  const handle = asProcessHandle(target);
  const listeners = new Set<Listener>();
  /** Ids of requests sent to the process and not answered yet. */
  const awaiting = new Set<string>();
  let refusal: ProcessExitedError | undefined;

  function deliver(data: unknown): void {
    for (const listener of [...listeners]) callListener(listener, data);
  }

  function refuseAwaiting(error: ProcessExitedError): void {
    refusal ??= error;
    const ids = [...awaiting];
    awaiting.clear();
    for (const id of ids) deliver(comlinkErrorReply(id, error));
  }

  const stopMessages = handle.onMessage((message) => {
    if (!isEnvelope(message, comlinkKey)) return;
    const data = message[comlinkKey];
    const id = messageId(data);
    if (id !== undefined) awaiting.delete(id);
    deliver(data);
  });
  const stopExit = handle.onExit((exit) => {
    detach();
    refuseAwaiting(exitedError(handle.pid, exit));
  });

  function detach(): void {
    stopMessages();
    stopExit();
  }

  return {
    postMessage(message: unknown) {
      const id = messageId(message);
      if (refusal === undefined && id !== undefined) awaiting.add(id);
      if (refusal === undefined && handle.send({ [comlinkKey]: message })) return;
      if (id === undefined) return;
      awaiting.delete(id);
      const error = refusal ?? new ProcessExitedError(`process ${handle.pid ?? '(none)'} is not connected`);
      // Answer asynchronously, as a real reply would come: comlink registers its resolver
      // before posting, but nothing should rely on that.
      queueMicrotask(() => deliver(comlinkErrorReply(id, error)));
    },
    addEventListener(type: string, listener: Listener) {
      if (type === 'message') listeners.add(listener);
    },
    removeEventListener(type: string, listener: Listener) {
      if (type === 'message') listeners.delete(listener);
    },
    close() {
      detach();
      refuseAwaiting(new ProcessExitedError(`endpoint to process ${handle.pid ?? '(none)'} closed`));
    },
  };
}

/**
 * The child's endpoint to its parent: pass it to `Comlink.expose`. It listens on the channel
 * only while comlink has a listener on it, so a released endpoint does not keep the process
 * alive.
 */
export function childEndpoint(channel: ParentChannel = processParentChannel()): ProcessEndpoint {
  const listeners = new Set<Listener>();
  let stopMessages: (() => void) | undefined;

  function attach(): void {
    stopMessages ??= channel.onMessage((message) => {
      if (!isEnvelope(message, comlinkKey)) return;
      for (const listener of [...listeners]) callListener(listener, message[comlinkKey]);
    });
  }

  function detachIfUnused(): void {
    if (listeners.size > 0 || stopMessages === undefined) return;
    stopMessages();
    stopMessages = undefined;
  }

  return {
    postMessage(message: unknown) {
      // A parent that is gone has nobody waiting for the answer.
      channel.send({ [comlinkKey]: message });
    },
    addEventListener(type: string, listener: Listener) {
      if (type !== 'message') return;
      listeners.add(listener);
      attach();
    },
    removeEventListener(type: string, listener: Listener) {
      if (type !== 'message') return;
      listeners.delete(listener);
      detachIfUnused();
    },
    close() {
      listeners.clear();
      detachIfUnused();
    },
  };
}

/** The channel of a process started by `child_process.fork`. */
export function processParentChannel(): ParentChannel {
  if (process.send === undefined) {
    throw new Error('this process has no IPC channel to a parent: start it with child_process.fork');
  }
  return {
    send(message) {
      if (!process.connected || process.send === undefined) return false;
      // The callback turns a send on a channel closing under us into a no-op instead of an
      // 'error' event that would crash the process.
      return process.send(message, undefined, {}, (error: Error | null) => void error);
    },
    onMessage(listener) {
      const onMessage = (message: unknown) => listener(message);
      process.on('message', onMessage);
      return () => {
        process.off('message', onMessage);
      };
    },
    onDisconnect(listener) {
      process.once('disconnect', listener);
      return () => {
        process.off('disconnect', listener);
      };
    },
  };
}

/**
 * A message port as Electron gives one (`MessagePortMain`; Node's worker_threads port behaves
 * alike): Node-style events whose 'message' listener receives `{data, ports}` rather than the
 * message itself, and 'close' once the other end is gone. Structural, so core needs no Electron.
 */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: PortMessageEvent) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: PortMessageEvent) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  /** Messages queue on a port until it is started. */
  start(): void;
  close(): void;
}

/** What a port's 'message' listener receives. */
export interface PortMessageEvent {
  data: unknown;
  ports: readonly MessagePortLike[];
}

/** `process.parentPort` of an Electron utility process: messages from the parent, with ports. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: PortMessageEvent) => void): unknown;
}

/**
 * A channel over a message port, for either end. `send` is false once the other end closed;
 * the port starts delivering when the first listener subscribes, so nothing sent before that
 * is lost.
 */
export function messagePortChannel(port: MessagePortLike): ParentChannel {
  let closed = false;
  let started = false;
  const closeListeners = new Set<() => void>();
  port.on('close', () => {
    if (closed) return;
    closed = true;
    const listeners = [...closeListeners];
    closeListeners.clear();
    for (const listener of listeners) listener();
  });
  return {
    send(message) {
      if (closed) return false;
      port.postMessage(message);
      return true;
    },
    onMessage(listener) {
      const onMessage = (event: PortMessageEvent) => listener(event.data);
      port.on('message', onMessage);
      if (!started) {
        started = true;
        port.start();
      }
      return () => {
        port.off('message', onMessage);
      };
    },
    onDisconnect(listener) {
      if (closed) queueMicrotask(listener);
      else closeListeners.add(listener);
      return () => {
        closeListeners.delete(listener);
      };
    },
  };
}

/**
 * Waits for the first message on a utility process's parent port that carries a port, and
 * resolves with that port. The listener stays, ignoring later messages (Electron queues a
 * parent port's messages while nobody listens; none should pile up).
 */
export function receiveMessagePort(parentPort: ParentPortLike): Promise<MessagePortLike> {
  return new Promise((resolve) => {
    let received = false;
    parentPort.on('message', (event) => {
      const port = event.ports[0];
      if (received || port === undefined) return;
      received = true;
      resolve(port);
    });
  });
}

/**
 * The node process's channel to its supervisor: the port an Electron parent sends over
 * `process.parentPort` when there is one (a utilityProcess), else the IPC channel of
 * `child_process.fork`.
 */
export async function connectToParent(): Promise<ParentChannel> {
  const parentPort = Reflect.get(process, 'parentPort') as ParentPortLike | null | undefined;
  if (parentPort === undefined || parentPort === null) return processParentChannel();
  return messagePortChannel(await receiveMessagePort(parentPort));
}

/** Parent side: calls `handler` with every process event the child sends. */
export function onProcessEvent(
  target: ChildProcess | ProcessHandle,
  handler: (event: ProcessEvent) => void,
): () => void {
  return asProcessHandle(target).onMessage((message) => {
    if (isEnvelope(message, eventKey) && isProcessEvent(message[eventKey])) handler(message[eventKey]);
  });
}

/** Child side: sends a process event to the parent; returns false when the parent is gone. */
export function sendProcessEvent(event: ProcessEvent, channel: ParentChannel = processParentChannel()): boolean {
  return channel.send({ [eventKey]: event });
}

/** Parent side: sends a process event to the child; returns false when the child is gone. */
export function sendChildEvent(target: ChildProcess | ProcessHandle, event: ProcessEvent): boolean {
  return asProcessHandle(target).send({ [eventKey]: event });
}

/** Child side: calls `handler` with every process event the parent sends. */
export function onParentEvent(
  handler: (event: ProcessEvent) => void,
  channel: ParentChannel = processParentChannel(),
): () => void {
  return channel.onMessage((message) => {
    if (isEnvelope(message, eventKey) && isProcessEvent(message[eventKey])) handler(message[eventKey]);
  });
}

// One handle per ChildProcess, so that wrapping the same child for an endpoint and for its
// events does not stack listeners on it.
const handles = new WeakMap<ChildProcess, ProcessHandle>();

function asProcessHandle(target: ChildProcess | ProcessHandle): ProcessHandle {
  if (!(target instanceof ChildProcess)) return target;
  let handle = handles.get(target);
  if (handle === undefined) {
    handle = childProcessHandle(target);
    handles.set(target, handle);
  }
  return handle;
}

function isEnvelope<K extends string>(message: unknown, key: K): message is Record<K, unknown> {
  return typeof message === 'object' && message !== null && key in message;
}

function isProcessEvent(value: unknown): value is ProcessEvent {
  return typeof value === 'object' && value !== null && typeof (value as ProcessEvent).type === 'string';
}

function messageId(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function callListener(listener: Listener, data: unknown): void {
  // Comlink reads only `data` (and `origin`, which it accepts when absent).
  const event = { data } as unknown as MessageEvent;
  if (typeof listener === 'function') listener(event);
  else listener.handleEvent(event);
}

function exitedError(pid: number | undefined, exit: ProcessExit): ProcessExitedError {
  return new ProcessExitedError(`process ${pid ?? '(none)'} exited before answering (${describeProcessExit(exit)})`);
}

/**
 * A reply in comlink's wire format that makes the waiting call throw `error`: a HANDLER wire
 * value for comlink's built-in "throw" transfer handler (comlink's `protocol.d.ts`,
 * `WireValueType.HANDLER`; its throw handler rebuilds an Error from `{message, name, stack}`
 * and copies every other field, here `code`).
 */
function comlinkErrorReply(id: string, error: ProcessExitedError): unknown {
  return {
    id,
    type: 'HANDLER',
    name: 'throw',
    value: {
      isError: true,
      value: { name: error.name, message: error.message, stack: error.stack, code: error.code },
    },
  };
}
