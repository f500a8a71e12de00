// The Traces page's addresses, in the `#/<page>` form of app/use-hash-route.ts: `#/traces` (the
// list and the form) and `#/traces/<node>/<id>` (one trace, kept by that member), so a trace can
// be linked to and Back returns to the one shown before. Pure.

export type TracesRoute = { view: 'list' } | { view: 'trace'; node: string; id: string } | { view: 'invalid'; reason: string };

/** `#/traces/<node>/<id>`. */
export function traceHref(node: string, id: string): string {
  return `#/traces/${encodeURIComponent(node)}/${encodeURIComponent(id)}`;
}

export const tracesHref = '#/traces';

export function parseTracesRoute(hash: string): TracesRoute {
  const match = /^#\/traces(?:\/([^?]*))?(?:\?.*)?$/.exec(hash);
  if (match === null || match[1] === undefined || match[1] === '') return { view: 'list' };
  const segments = match[1].split('/');
  if (segments.length !== 2 || segments[0] === '' || segments[1] === '') return { view: 'invalid', reason: 'a trace’s address is #/traces/<node>/<trace id>' };
  try {
    return { view: 'trace', node: decodeURIComponent(segments[0]), id: decodeURIComponent(segments[1]) };
  } catch {
    return { view: 'invalid', reason: 'the address is not valid percent-encoding' };
  }
}
