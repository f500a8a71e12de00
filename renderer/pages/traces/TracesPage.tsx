// The Traces page: every request's state machine and messages, drawn. At the top, "Trace a
// request" (send one request with tracing on) beside the traces the members keep; below, the
// trace shown: one chosen from the list or just traced (`#/traces/<node>/<id>`, so it can be
// linked to), or one opened from a file ("Open trace file"; a wrong file is refused with why).

import { Alert, Anchor, Button, FileButton, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { TraceRequest, TraceRequestResult, TraceView } from '../../../core/admin/admin-api.js';
import { replaceHash, useHash } from '../../app/use-hash-route.js';
import { ClusterTrace, FileTrace, type HttpOutcome } from './TraceDetail.js';
import { parseTraceFile } from './trace-file.js';
import { parseTracesRoute, traceHref, tracesHref } from './trace-routes.js';
import { TraceList } from './TraceList.js';
import { TraceRequestForm } from './TraceRequestForm.js';

interface OpenedFile {
  name: string;
  trace: TraceView;
}

export function TracesPage() {
  const route = parseTracesRoute(useHash());
  const [file, setFile] = useState<OpenedFile | undefined>(undefined);
  const [fileProblem, setFileProblem] = useState<string | undefined>(undefined);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, HttpOutcome>>(new Map());
  const heading = useRef<HTMLHeadingElement>(null);
  const [focusShown, setFocusShown] = useState(0);
  const resetFile = useRef<() => void>(null);

  const routeKey = route.view === 'trace' ? `${route.node}\u0000${route.id}` : route.view;
  // A trace chosen from the list (or traced) replaces the file shown.
  useEffect(() => {
    if (route.view === 'trace') setFile(undefined);
  }, [routeKey]);

  // Once a new trace is on screen, the keyboard goes to it (and the page scrolls there).
  useEffect(() => {
    if (focusShown > 0) heading.current?.focus();
  }, [focusShown, routeKey, file]);

  const onTraced = (_request: TraceRequest, result: TraceRequestResult) => {
    if (result.trace === undefined) return;
    const { node, id } = result.trace;
    setOutcomes((current) => new Map(current).set(`${node}\u0000${id}`, { status: result.status, summary: result.summary }));
    setFileProblem(undefined);
    replaceHash(traceHref(node, id));
    setFocusShown((count) => count + 1);
  };

  const openFile = async (chosen: File | null) => {
    if (chosen === null) return;
    const parsed = parseTraceFile(chosen.name, chosen.size, await chosen.text());
    resetFile.current?.();
    if (!parsed.ok) {
      setFileProblem(parsed.problem);
      return;
    }
    setFileProblem(undefined);
    setFile({ name: chosen.name, trace: parsed.trace });
    replaceHash(tracesHref);
    setFocusShown((count) => count + 1);
  };

  const shown = route.view === 'trace' ? { node: route.node, id: route.id } : undefined;

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          Traces
        </Title>
        <Text c="dimmed" size="sm">
          Every request’s state machine and replica messages, as the node that coordinated it recorded them.
        </Text>
      </div>
      <Grid gap="md" align="flex-start">
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <TraceRequestForm onTraced={onTraced} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <TraceList shown={shown} />
        </Grid.Col>
      </Grid>

      <Stack gap="sm" component="section" aria-labelledby="shown-trace-title">
        <Group justify="space-between" align="flex-end">
          <Title order={2} size="h3" id="shown-trace-title">
            Trace
          </Title>
          <FileButton onChange={(chosen) => void openFile(chosen)} accept="application/json,.json" resetRef={resetFile} inputProps={{ 'aria-label': 'Trace file' }}>
            {(props) => (
              <Button variant="default" size="sm" {...props}>
                Open trace file
              </Button>
            )}
          </FileButton>
        </Group>
        {fileProblem !== undefined && (
          <Alert color="red" variant="light" title="The file cannot be opened" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => setFileProblem(undefined)}>
            {fileProblem}.
          </Alert>
        )}
        {route.view === 'invalid' && (
          <Alert color="red" variant="light" title="This address names no trace" role="alert">
            {route.reason}. <Anchor href={tracesHref}>Show the list of traces</Anchor>
          </Alert>
        )}
        {route.view === 'trace' && <ClusterTrace key={routeKey} ref={heading} node={route.node} id={route.id} outcome={outcomes.get(routeKey)} />}
        {route.view === 'list' && file !== undefined && <FileTrace key={`${file.name}\u0000${file.trace.node}\u0000${file.trace.id}`} ref={heading} trace={file.trace} fileName={file.name} />}
        {route.view === 'list' && file === undefined && (
          <Paper>
            <Text size="sm" fw={600}>
              No trace shown
            </Text>
            <Text size="sm" c="dimmed">
              Trace a request, choose one from the list, or open a trace file exported from this page (or saved from a node’s GET /v1/admin/traces/&#123;id&#125;).
            </Text>
          </Paper>
        )}
      </Stack>
    </Stack>
  );
}
