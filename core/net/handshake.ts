// The cluster-secret handshake that opens every peer connection (CONTRACT.md, "Security
// options"): both sides prove they know the secret without sending it, so a stranger can
// neither join nor inject messages.
//
//   dialer   → listener   hello     { node: dialerId, nonce: Nd }
//   listener → dialer     challenge { node: listenerId, nonce: Nl, proof: MAC("listener") }
//   dialer   → listener   proof     { proof: MAC("dialer") }
//
//   MAC(role) = HMAC-SHA256(secret, label(role) ‖ Nd ‖ Nl ‖ len ‖ dialerId ‖ len ‖ listenerId)
//
// Each side's proof covers a fresh nonce of the other side, so no proof can be replayed, and
// the role label keeps a listener's proof from being reflected back as a dialer's. The dialer
// checks the listener's proof and id before sending anything else, then pipelines its requests
// right behind its own proof; the listener processes nothing until that proof checks out.
// All frames are kind 3 (hello) with id 0, limited to handshakeFrameBytesMax bytes.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeId } from '../common/types.js';
import { isValidNodeId } from '../version/vector-clock.js';
import type { PeerMessage } from './transport.js';

export const handshakeVersion = 1;
export const nonceBytes = 32;
const proofBytes = 32;

export type HandshakeRole = 'dialer' | 'listener';

export interface Hello {
  node: NodeId;
  nonce: Uint8Array;
}

export interface Challenge {
  node: NodeId;
  nonce: Uint8Array;
  proof: Uint8Array;
}

/** A fresh random nonce (crypto randomness: the handshake is never simulated). */
export function makeNonce(): Buffer {
  return randomBytes(nonceBytes);
}

/** The proof that `role` knows `secret`, bound to both nonces and both node ids. */
export function handshakeProof(
  secret: string,
  role: HandshakeRole,
  dialerNonce: Uint8Array,
  listenerNonce: Uint8Array,
  dialerId: NodeId,
  listenerId: NodeId,
): Buffer {
  const mac = createHmac('sha256', secret);
  mac.update(`dynamo-desk handshake v${handshakeVersion} ${role}\n`);
  mac.update(dialerNonce);
  mac.update(listenerNonce);
  for (const id of [dialerId, listenerId]) {
    const bytes = Buffer.from(id, 'utf8');
    const length = Buffer.allocUnsafe(2);
    length.writeUInt16BE(bytes.byteLength, 0);
    mac.update(length);
    mac.update(bytes);
  }
  return mac.digest();
}

/** Compares a received proof with the expected one in constant time. */
export function proofMatches(received: Uint8Array, expected: Uint8Array): boolean {
  return received.byteLength === expected.byteLength && timingSafeEqual(received, expected);
}

export function helloMessage(node: NodeId, nonce: Uint8Array): PeerMessage {
  return { type: 'hello', v: handshakeVersion, node, nonce };
}

export function challengeMessage(node: NodeId, nonce: Uint8Array, proof: Uint8Array): PeerMessage {
  return { type: 'challenge', v: handshakeVersion, node, nonce, proof };
}

export function proofMessage(proof: Uint8Array): PeerMessage {
  return { type: 'proof', v: handshakeVersion, proof };
}

/** The hello in `message`, or undefined if it is not a well-formed one. */
export function parseHello(message: PeerMessage): Hello | undefined {
  if (message.type !== 'hello' || message.v !== handshakeVersion) return undefined;
  const { node, nonce } = message;
  if (!isNodeId(node) || !isBytes(nonce, nonceBytes)) return undefined;
  return { node, nonce };
}

/** The challenge in `message`, or undefined if it is not a well-formed one. */
export function parseChallenge(message: PeerMessage): Challenge | undefined {
  if (message.type !== 'challenge' || message.v !== handshakeVersion) return undefined;
  const { node, nonce, proof } = message;
  if (!isNodeId(node) || !isBytes(nonce, nonceBytes) || !isBytes(proof, proofBytes)) return undefined;
  return { node, nonce, proof };
}

/** The proof in `message`, or undefined if it is not a well-formed one. */
export function parseProof(message: PeerMessage): Uint8Array | undefined {
  if (message.type !== 'proof' || message.v !== handshakeVersion) return undefined;
  return isBytes(message.proof, proofBytes) ? message.proof : undefined;
}

/** A node id as everywhere else: at most nodeIdBytesMax UTF-8 bytes (core/version/vector-clock.ts). */
export function isNodeId(value: unknown): value is NodeId {
  return isValidNodeId(value);
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === length;
}
