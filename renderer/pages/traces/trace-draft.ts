// The "Trace a request" form's fields, and the TraceRequest they ask for: only the fields the
// operation takes (R for a GET; W, the context, the value and its content type for a PUT; W and
// the context for a DELETE), empty ones left out. Pure.

import type { TraceOp, TraceRequest } from '../../../core/admin/admin-api.js';

export interface TraceDraft {
  node: string;
  op: TraceOp;
  bucket: string;
  key: string;
  value: string;
  contentType: string;
  context: string;
  /** R for a get, W for a put or delete; '' for the cluster's own. */
  quorum: string;
  /** For a put or delete: the acks that must be durable ('' or '0': none). */
  dw: string;
}

const textContentType = 'text/plain; charset=utf-8';

export const emptyDraft: TraceDraft = { node: '', op: 'get', bucket: '', key: '', value: '', contentType: textContentType, context: '', quorum: '', dw: '' };

/** The request a draft asks for: only the fields its operation takes. */
export function draftRequest(draft: TraceDraft, node: string): TraceRequest {
  const request: TraceRequest = { node, op: draft.op, bucket: draft.bucket, key: draft.key };
  const quorum = draft.quorum === '' ? undefined : Number(draft.quorum);
  if (draft.op === 'get') {
    if (quorum !== undefined) request.r = quorum;
    return request;
  }
  if (quorum !== undefined) request.w = quorum;
  if (draft.dw !== '' && draft.dw !== '0') request.dw = Number(draft.dw);
  if (draft.context.trim() !== '') request.context = draft.context.trim();
  if (draft.op === 'put') {
    request.value = draft.value;
    request.contentType = draft.contentType.trim() === '' ? textContentType : draft.contentType.trim();
  }
  return request;
}
