// AdminApi calls that arrive from outside the process (the web console's POST
// /api/admin/{method}, the desktop shell's IPC): the method name and its arguments are checked
// here, at the edge, before anything reaches the console service, and every outcome is either a
// result or an AdminFailure. Both shells use this one function, so they accept exactly the same.

import { adminMethods, type AdminApi, type AdminFailure, type AdminMethod } from '../admin/admin-api.js';
import { ConsoleError, toAdminFailure } from './errors.js';

const nodeIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const planIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Most peers one isolate names (a console hosts at most consoleNodesMax nodes; a cluster may have more). */
const isolateFromMax = 1024;

type ArgCheck = (args: unknown[]) => string | undefined;

const noArgs: ArgCheck = (args) => (args.length === 0 ? undefined : 'takes no arguments');
const oneNodeId: ArgCheck = (args) =>
  args.length === 1 && isNodeId(args[0]) ? undefined : 'takes one argument: a node id (1 to 64 letters, digits, _ . or -)';
const onePlanId: ArgCheck = (args) => (args.length === 1 && typeof args[0] === 'string' && planIdPattern.test(args[0]) ? undefined : 'takes one argument: a plan id');

/** What each method accepts. */
const argChecks: Record<AdminMethod, ArgCheck> = {
  clusterView: noArgs,
  killNode: oneNodeId,
  restartNode: oneNodeId,
  leaveNode: oneNodeId,
  healNode: oneNodeId,
  isolateNode: (args) => {
    if (args.length < 1 || args.length > 2 || !isNodeId(args[0])) return 'takes a node id and, optionally, the ids to isolate it from';
    const from = args[1];
    if (from === undefined || from === null) return undefined;
    if (!Array.isArray(from) || from.length > isolateFromMax || !from.every(isNodeId)) return 'the second argument must be a list of node ids';
    return undefined;
  },
  planJoin: noArgs,
  commitJoin: onePlanId,
  cancelJoin: onePlanId,
};

export function isAdminMethod(name: unknown): name is AdminMethod {
  return typeof name === 'string' && (adminMethods as readonly string[]).includes(name);
}

/** Why `args` do not fit `method`, or undefined when they do. */
export function checkAdminArgs(method: AdminMethod, args: unknown): string | undefined {
  if (!Array.isArray(args)) return 'args must be a list';
  const problem = argChecks[method](args);
  return problem === undefined ? undefined : `${method} ${problem}`;
}

/**
 * Calls `method` on `api` with `args` after checking both; resolves with the result (undefined
 * for actions) or rejects with a ConsoleError (an AdminFailure: code and message).
 */
export async function invokeAdmin(api: AdminApi, method: unknown, args: unknown): Promise<unknown> {
  if (!isAdminMethod(method)) throw new ConsoleError('bad_request', `no AdminApi method ${JSON.stringify(String(method)).slice(0, 80)}`);
  const problem = checkAdminArgs(method, args);
  if (problem !== undefined) throw new ConsoleError('bad_request', problem);
  const list = args as unknown[];
  try {
    switch (method) {
      case 'clusterView':
        return await api.clusterView();
      case 'killNode':
        return await api.killNode(list[0] as string);
      case 'restartNode':
        return await api.restartNode(list[0] as string);
      case 'leaveNode':
        return await api.leaveNode(list[0] as string);
      case 'isolateNode':
        return await api.isolateNode(list[0] as string, (list[1] ?? undefined) as string[] | undefined);
      case 'healNode':
        return await api.healNode(list[0] as string);
      case 'planJoin':
        return await api.planJoin();
      case 'commitJoin':
        return await api.commitJoin(list[0] as string);
      case 'cancelJoin':
        return await api.cancelJoin(list[0] as string);
    }
  } catch (error) {
    const failure: AdminFailure = toAdminFailure(error);
    throw new ConsoleError(failure.code, failure.message, { cause: error });
  }
}

function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && nodeIdPattern.test(value);
}
