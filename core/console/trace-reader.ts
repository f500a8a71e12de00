// Request traces across the cluster (AdminApi.listTraces, trace, traceRequest).
// TO BE WRITTEN.

import type { TraceListingPage, TraceListQuery, TraceRequest, TraceRequestResult, TraceView } from '../admin/admin-api.js';
import { ConsoleError } from './errors.js';
import type { KeyContext } from './key-reader.js';

export async function listTraces(_context: KeyContext, _query: TraceListQuery): Promise<TraceListingPage> {
  throw new ConsoleError('unavailable', 'not written yet');
}

export async function trace(_context: KeyContext, _node: string, _id: string): Promise<TraceView> {
  throw new ConsoleError('unavailable', 'not written yet');
}

export async function traceRequest(_context: KeyContext, _request: TraceRequest): Promise<TraceRequestResult> {
  throw new ConsoleError('unavailable', 'not written yet');
}
