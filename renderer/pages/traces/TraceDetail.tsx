// One trace in full: what the request was and how it was answered, the space-time diagram with
// the state machine's timeline beside it, the legend, and the table of its messages; Export JSON
// saves it as a file. A put forwarded by a node outside the key's preference list shows the
// forwarding hop first, then the coordinator's own trace (read from the cluster, or on request
// when the forwarding trace came from a file). A trace still recording (late replies, fallback
// writes, read repairs) says so and is read again until it is complete.

import { Alert, Badge, Box, Button, Grid, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { forwardRef, useId, useMemo } from 'react';
import type { TraceView } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { plural } from '../../lib/format.js';
import { downloadText } from './download.js';
import { MessageTable } from './MessageTable.js';
import { layoutSpaceTime } from './space-time.js';
import { DiagramLegend, SpaceTimeDiagram } from './SpaceTimeDiagram.js';
import { StateTimeline } from './StateTimeline.js';
import { traceFileName, traceFileText } from './trace-file.js';
import { formatDuration, formatTimeOfDay, httpColour, outstanding, quorumName, reasonText, settled, statusColour } from './trace-text.js';
import { useTrace } from './use-traces.js';

/** What the node answered the console's traced request, shown with the trace it names. */
export interface HttpOutcome {
  status: number;
  summary: string;
}

interface CardProps {
  trace: TraceView;
  /** The HTTP answer, when the trace is of a request sent from the form. */
  outcome?: HttpOutcome;
  /** Where the trace came from, when not from the cluster ("opened from trace.json"). */
  origin?: string;
  /** "The forwarding hop", "The coordinator's trace": the card's part in a forwarded put. */
  part?: string;
}

/** A trace kept by a member, with the coordinator's when the member forwarded the put. */
export const ClusterTrace = forwardRef<HTMLHeadingElement, { node: string; id: string; outcome?: HttpOutcome }>(function ClusterTrace({ node, id, outcome }, ref) {
  const query = useTrace(node, id);
  if (query.isPending) return <Loading what={`Reading trace ${id} from ${node}…`} />;
  if (query.isError) {
    return <ReadFailure title="The trace cannot be read" what={`Reading trace ${id} from ${node}`} error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  const trace = query.data;
  const forwarded = trace.forwardedTo !== null && trace.coordinatorTraceId !== null;
  return (
    <Stack gap="md">
      <TraceCard ref={ref} trace={trace} outcome={outcome} part={forwarded ? 'The forwarding hop' : undefined} />
      {forwarded && <CoordinatorTrace node={trace.forwardedTo!} id={trace.coordinatorTraceId!} auto />}
    </Stack>
  );
});

/** A trace opened from a file; the coordinator's trace of a forwarded put is read from the cluster on request. */
export const FileTrace = forwardRef<HTMLHeadingElement, { trace: TraceView; fileName: string }>(function FileTrace({ trace, fileName }, ref) {
  const forwarded = trace.forwardedTo !== null && trace.coordinatorTraceId !== null;
  return (
    <Stack gap="md">
      <TraceCard ref={ref} trace={trace} origin={`opened from ${fileName}`} part={forwarded ? 'The forwarding hop' : undefined} />
      {forwarded && <CoordinatorTrace node={trace.forwardedTo!} id={trace.coordinatorTraceId!} auto={false} />}
    </Stack>
  );
});

/** The trace the coordinator of a forwarded put kept; `auto`: read it at once, otherwise on request. */
function CoordinatorTrace({ node, id, auto }: { node: string; id: string; auto: boolean }) {
  const query = useTrace(node, id, auto);
  if (!auto && query.fetchStatus === 'idle' && query.data === undefined && !query.isError) {
    return (
      <Paper>
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Text size="sm">
            {node} coordinated this put and kept its own trace of it ({id}); the file holds only the forwarding hop.
          </Text>
          <Button variant="light" onClick={() => void query.refetch()}>
            Read the coordinator’s trace from {node}
          </Button>
        </Group>
      </Paper>
    );
  }
  if (query.isError) {
    return (
      <ReadFailure
        title="The coordinator’s trace cannot be read"
        what={`Reading trace ${id} from ${node}`}
        error={query.error}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    );
  }
  if (query.data === undefined) return <Loading what={`Reading the coordinator’s trace ${id} from ${node}…`} />;
  return <TraceCard trace={query.data} part="The coordinator’s trace" />;
}

function Loading({ what }: { what: string }) {
  return (
    <Group gap="sm" my="sm">
      <Loader size="xs" />
      <Text size="sm">{what}</Text>
    </Group>
  );
}

const TraceCard = forwardRef<HTMLHeadingElement, CardProps>(function TraceCard({ trace, outcome, origin, part }, ref) {
  const titleId = useId();
  const layout = useMemo(() => layoutSpaceTime(trace), [trace]);
  const recording = !settled(trace);
  const waiting = outstanding(trace);
  const quorum = quorumName(trace);
  const { dropped } = trace;
  const droppedAny = dropped.messages + dropped.events + dropped.states > 0;
  const facts = [
    `kept by ${trace.node}`,
    `trace ${trace.id}`,
    `started ${formatTimeOfDay(trace.startedAt)}`,
    `partition ${trace.partition}`,
    ...(quorum === undefined ? [] : [quorum]),
    reasonText(trace.reason),
    ...(origin === undefined ? [] : [origin]),
  ];
  return (
    <Paper component="article" aria-labelledby={titleId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <div style={{ minWidth: 0 }}>
          {part !== undefined && (
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              {part}
            </Text>
          )}
          <Title order={3} size="h4" id={titleId} ref={ref} tabIndex={-1} style={{ wordBreak: 'break-all', outline: 'none' }}>
            <Text span inherit ff="monospace" fw={700}>
              {trace.op.toUpperCase()}
            </Text>{' '}
            {trace.bucket}/{trace.key}
            <Text span inherit c="dimmed" fw={400}>
              {' '}
              {trace.forwardedTo !== null ? `forwarded by ${trace.coordinator}` : `coordinated by ${trace.coordinator}`}
            </Text>
          </Title>
          <Text size="sm" c="dimmed">
            {facts.join(' · ')}
          </Text>
        </div>
        <Button variant="default" onClick={() => downloadText(traceFileName(trace), traceFileText(trace))} aria-label={`Export JSON of trace ${trace.id}`} style={{ flex: 'none' }}>
          Export JSON
        </Button>
      </Group>

      <Group gap="lg" mb="sm" wrap="wrap" role="group" aria-label="Outcome">
        {outcome !== undefined && (
          <Group gap={6} wrap="nowrap">
            <Text size="sm" c="dimmed">
              HTTP
            </Text>
            <Badge color={httpColour(outcome.status)} size="lg" tt="none">
              {outcome.summary}
            </Badge>
          </Group>
        )}
        <Group gap={6} wrap="nowrap">
          <Text size="sm" c="dimmed">
            Answer
          </Text>
          {trace.answer === null ? (
            <Badge color="gray" size="lg">
              not answered yet
            </Badge>
          ) : (
            <>
              <Badge color={statusColour(trace.answer.status)} size="lg">
                {trace.answer.status}
              </Badge>
              <Text size="sm">{trace.answer.summary}</Text>
            </>
          )}
        </Group>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" c="dimmed">
            Duration
          </Text>
          <Text size="sm" fw={600}>
            {formatDuration(trace.durationMs)}
          </Text>
        </Group>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" c="dimmed">
            Messages
          </Text>
          <Text size="sm" fw={600}>
            {trace.messages.length}
          </Text>
        </Group>
      </Group>

      {recording && (
        <Group gap="xs" mb="sm" role="status">
          <Loader size={14} />
          <Text size="sm">
            Still recording: {waiting > 0 ? `${plural(waiting, 'reply', 'replies')} outstanding` : 'the machine is not done yet'}. The trace is read again until it is complete.
          </Text>
        </Group>
      )}
      {trace.forwardedTo !== null && (
        <Alert color="teal" variant="light" mb="sm" title={`Forwarded to ${trace.forwardedTo}`}>
          {trace.coordinator} is not in the key’s preference list, so it forwarded the put to {trace.forwardedTo}, which coordinated it
          {trace.coordinatorTraceId === null ? ' (it kept no trace of it).' : ` and kept its own trace (${trace.coordinatorTraceId}), shown below.`}
        </Alert>
      )}
      {droppedAny && (
        <Alert color="yellow" variant="light" mb="sm" title="Part of this trace was left out">
          The node bounds each trace: it left out {plural(dropped.messages, 'message')}, {plural(dropped.events, 'event')} and {plural(dropped.states, 'state')}.
        </Alert>
      )}

      <Grid gap="lg" align="flex-start">
        <Grid.Col span={{ base: 12, lg: 9 }}>
          <SpaceTimeDiagram trace={trace} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 3 }}>
          <Title order={4} size="h5" mb="xs">
            State machine
          </Title>
          {/* Focusable: a long timeline scrolls, and the keyboard must reach it. */}
          <Box role="region" aria-label="States and events" tabIndex={0} pr="xs" style={{ maxHeight: Math.max(layout.height, 240), overflowY: 'auto' }}>
            <StateTimeline trace={trace} />
          </Box>
        </Grid.Col>
      </Grid>

      <Box mt="sm">
        <DiagramLegend trace={trace} />
      </Box>

      <Title order={4} size="h5" mt="md" mb={4}>
        Messages
      </Title>
      <MessageTable trace={trace} />
    </Paper>
  );
});
