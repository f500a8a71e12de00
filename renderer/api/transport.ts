// An AdminApi over any transport that can call a method by name and follow the event stream:
// the HTTP wire of `dynamo console` (http-transport.ts) or the desktop shell's preload bridge
// (desktop-transport.ts). The method list and argument order are AdminApi's own.

import type {
  AdminApi,
  AdminMethod,
  AntiEntropyRuns,
  AntiEntropyRunView,
  BucketView,
  HandoffView,
  MetricsHistory,
  TraceListingPage,
  TraceRequestResult,
  TraceView,
  ClusterView,
  ConsoleEvent,
  JoinPlan,
  KeyDetail,
  KeyPage,
  KeyWriteResult,
} from '../../core/admin/admin-api.js';

export interface AdminTransport {
  call(method: AdminMethod, args: unknown[]): Promise<unknown>;
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}

export function adminApiOver(transport: AdminTransport): AdminApi {
  const call = (method: AdminMethod, ...args: unknown[]) => transport.call(method, args);
  const done = async (method: AdminMethod, ...args: unknown[]) => {
    await call(method, ...args);
  };
  return {
    clusterView: () => call('clusterView') as Promise<ClusterView>,
    killNode: (id) => done('killNode', id),
    restartNode: (id) => done('restartNode', id),
    leaveNode: (id) => done('leaveNode', id),
    isolateNode: (id, from) => (from === undefined ? done('isolateNode', id) : done('isolateNode', id, from)),
    healNode: (id) => done('healNode', id),
    planJoin: () => call('planJoin') as Promise<JoinPlan>,
    commitJoin: (planId) => done('commitJoin', planId),
    cancelJoin: (planId) => done('cancelJoin', planId),
    listBuckets: () => call('listBuckets') as Promise<BucketView[]>,
    listKeys: (query) => call('listKeys', withoutUndefined(query)) as Promise<KeyPage>,
    keyDetail: (bucket, key) => call('keyDetail', bucket, key) as Promise<KeyDetail>,
    writeKey: (write) => call('writeKey', withoutUndefined(write)) as Promise<KeyWriteResult>,
    runAntiEntropy: (target) => call('runAntiEntropy', withoutUndefined(target)) as Promise<AntiEntropyRunView[]>,
    antiEntropyRuns: () => call('antiEntropyRuns') as Promise<AntiEntropyRuns>,
    handoff: () => call('handoff') as Promise<HandoffView>,
    metricsHistory: () => call('metricsHistory') as Promise<MetricsHistory>,
    listTraces: (query) => call('listTraces', withoutUndefined(query)) as Promise<TraceListingPage>,
    trace: (node, id) => call('trace', node, id) as Promise<TraceView>,
    traceRequest: (request) => call('traceRequest', withoutUndefined(request)) as Promise<TraceRequestResult>,
    subscribe: (listener) => transport.subscribe(listener),
  };
}

/**
 * An argument object without its undefined fields: JSON drops them on the web, but the desktop
 * bridge's structured clone keeps them, and both shells should send the same.
 */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
