// The vocabulary a GossipCore speaks with its host: what a node says about itself, the gossip it
// asks the host to send, the results of receiving and of admin actions (with stable codes), the
// views it offers, and its counters.

import { CodedError } from '../common/coded-error.js';
import type { NodeId } from '../common/types.js';
import type { MembershipStatus } from './membership-state.js';
import type { MembershipMessage, MembershipSyn } from './messages.js';

/** What a node says about itself in its record. */
export interface GossipSelf {
  id: NodeId;
  http: string;
  peer: string;
  /** Relative share of partitions, >= 0 (1 by default). */
  weight: number;
}

/** One gossip request to send: to a member by id, or to a seed by its configured address. */
export interface GossipSend {
  /** The member to send to, when known by id (a seed that is a known member included). */
  to: NodeId | undefined;
  /** A seed not known as a member: its address as configured (or the node id it was given as). */
  seed: string | undefined;
  message: MembershipSyn;
}

export type ReceiveErrorCode = 'bad_message' | 'wrong_cluster' | 'wrong_shape';

export type ReceiveResult =
  | { ok: true; reply: MembershipMessage | undefined }
  | { ok: false; code: ReceiveErrorCode; message: string };

export type MembershipErrorCode =
  | 'already_member' // join or bootstrap on a node that is a member (joining, up or leaving)
  | 'has_cluster' // bootstrap on a node that already knows a cluster
  | 'not_member' // leave on a node that is not joining or up
  | 'last_member' // leave or remove would leave no member with a positive weight
  | 'unknown_member' // remove of an id that is no member (or was removed already)
  | 'is_self' // remove of oneself (use leave)
  | 'members_full' // membersMax records are known
  | 'bad_seed' // an empty or overlong seed
  | 'zero_weight'; // bootstrap with weight 0 (nobody could own the ring)

export type MembershipResult = { ok: true } | { ok: false; code: MembershipErrorCode; message: string };

/** A GossipCore that cannot be made: bad options, or a persisted snapshot that does not fit. */
export class MembershipError extends CodedError<'bad_snapshot' | 'wrong_shape' | 'bad_options'> {
  override name = 'MembershipError';
}

/** A member as the node shows it. */
export interface MemberView {
  id: NodeId;
  http: string;
  peer: string;
  weight: number;
  status: MembershipStatus;
}

export interface Transfer {
  partition: number;
  /** The current owner, which streams the data. */
  from: NodeId;
  /** The pending owner, which receives it. */
  to: NodeId;
}

export interface GossipStats {
  /** Gossip requests returned by tick. */
  synsSent: number;
  /** Membership messages accepted. */
  messagesReceived: number;
  /** Messages refused (malformed, another cluster or ring shape). */
  messagesRefused: number;
  /** New member records refused at membersMax. */
  recordsRefused: number;
  /** Claims this node computed (each bumps the plan version). */
  claims: number;
  /** completeTransfer calls accepted here. */
  transfersCompleted: number;
  /** Messages ignored whole because their ring named members neither side had a record of. */
  messagesStale: number;
}

/** Counters that start at zero. */
export function zeroGossipStats(): GossipStats {
  return {
    synsSent: 0,
    messagesReceived: 0,
    messagesRefused: 0,
    recordsRefused: 0,
    claims: 0,
    transfersCompleted: 0,
    messagesStale: 0,
  };
}
