// Network addresses as the cluster writes them: "host:port" (a v6 host in brackets,
// "[::1]:7001"), and the peer id of a node known only by its address ("@host:port", a seed
// before its handshake). Plain string work with no I/O, so the CLI, the HTTP API, the
// membership and the transports all parse addresses the same way.

import type { NodeId } from '../common/types.js';

/** A parsed "host:port"; `host` without brackets. */
export interface Address {
  host: string;
  port: number;
}

/** Parses "host:port" or "[v6]:port"; undefined unless the host is non-empty and the port 1..65535. */
export function parseAddress(address: string): Address | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || host.length === 0) return undefined;
  return { host, port };
}

/** Writes "host:port", bracketing a v6 host: the inverse of parseAddress. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The id under which a peer known only by its address is reached: `@host:port`. Its handshake
 * accepts whichever node answers there, if it proves the cluster secret.
 */
export function addressPeer(address: string): NodeId {
  return `@${address}`;
}

/** Whether `id` names a peer by its address (addressPeer) rather than by its node id. */
export function isAddressPeer(id: NodeId): boolean {
  return id.startsWith('@');
}
