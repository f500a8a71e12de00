// The traces the members keep, merged: a filter (Node, Operation, Bucket, Key), newest or
// slowest first, Refresh, and a table of time, node, operation, bucket/key, duration, status and
// messages; each row links to its trace. Members that could not be read are named with why.

import { Alert, Anchor, Badge, Button, Group, Loader, NativeSelect, Paper, ScrollArea, SegmentedControl, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import type { TraceListQuery, TraceOp } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { compareNodeIds, plural } from '../../lib/format.js';
import { useClusterView } from '../cluster/use-cluster-view.js';
import { traceHref } from './trace-routes.js';
import { formatDuration, formatTimeOfDay, statusColour } from './trace-text.js';
import { useTraceList } from './use-traces.js';

/** Traces the list shows at most. */
const listLimit = 100;
/** Typing waits this long before the list is asked again. */
const typingSettleMs = 300;

interface TraceFilter {
  node: string;
  op: '' | TraceOp;
  bucket: string;
  key: string;
  slowest: boolean;
}

const noFilter: TraceFilter = { node: '', op: '', bucket: '', key: '', slowest: false };

function listQuery(filter: TraceFilter): TraceListQuery {
  const query: TraceListQuery = { limit: listLimit };
  if (filter.node !== '') query.node = filter.node;
  if (filter.op !== '') query.op = filter.op;
  if (filter.bucket !== '') query.bucket = filter.bucket;
  if (filter.key !== '') query.key = filter.key;
  if (filter.slowest) query.slowest = true;
  return query;
}

/** `shown`: the trace on screen, whose row is marked. */
export function TraceList({ shown }: { shown: { node: string; id: string } | undefined }) {
  const [filter, setFilter] = useState<TraceFilter>(noFilter);
  const [settled] = useDebouncedValue(filter, typingSettleMs);
  const query = useMemo(() => listQuery({ ...settled, node: filter.node, op: filter.op, slowest: filter.slowest }), [settled, filter.node, filter.op, filter.slowest]);
  const list = useTraceList(query);
  const view = useClusterView();
  const nodes = (view.data?.members.map((member) => member.id) ?? []).sort(compareNodeIds);
  const set = (change: Partial<TraceFilter>) => setFilter((current) => ({ ...current, ...change }));
  const traces = list.data?.traces ?? [];
  const filtered = filter.node !== '' || filter.op !== '' || filter.bucket !== '' || filter.key !== '';

  return (
    <Paper component="section" aria-labelledby="trace-list-title">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={2} size="h4" id="trace-list-title">
          {filter.slowest ? 'Slowest traces' : 'Recent traces'}
        </Title>
        <Group gap="xs" wrap="nowrap">
          <SegmentedControl
            size="xs"
            aria-label="Order"
            value={filter.slowest ? 'slowest' : 'newest'}
            onChange={(value) => set({ slowest: value === 'slowest' })}
            data={[
              { value: 'newest', label: 'Newest first' },
              { value: 'slowest', label: 'Slowest first' },
            ]}
          />
          <Button variant="default" onClick={() => void list.refetch()} loading={list.isFetching && !list.isPending}>
            Refresh
          </Button>
        </Group>
      </Group>
      <Group gap="sm" align="flex-end" mb="sm" role="search" aria-label="Filter traces" wrap="wrap">
        <NativeSelect
          label="Node"
          value={filter.node}
          onChange={(event) => set({ node: event.currentTarget.value })}
          data={[{ value: '', label: 'all' }, ...nodes.map((id) => ({ value: id, label: id }))]}
          w={110}
        />
        <NativeSelect
          label="Operation"
          value={filter.op}
          onChange={(event) => set({ op: event.currentTarget.value as TraceFilter['op'] })}
          data={[
            { value: '', label: 'all' },
            { value: 'get', label: 'GET' },
            { value: 'put', label: 'PUT' },
            { value: 'delete', label: 'DELETE' },
          ]}
          w={110}
        />
        <TextInput label="Bucket" placeholder="every bucket" value={filter.bucket} onChange={(e) => set({ bucket: e.currentTarget.value })} w={150} spellCheck={false} autoComplete="off" />
        <TextInput
          label="Key"
          placeholder="every key"
          value={filter.key}
          onChange={(e) => set({ key: e.currentTarget.value })}
          style={{ flex: 1, minWidth: 130 }}
          spellCheck={false}
          autoComplete="off"
        />
      </Group>

      {list.isError && <ReadFailure title="The traces cannot be listed" what="Listing the traces" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />}
      {list.isPending && (
        <Group gap="sm" my="sm">
          <Loader size="xs" />
          <Text size="sm">Reading every member’s traces…</Text>
        </Group>
      )}
      {list.data !== undefined && list.data.unreachable.length > 0 && (
        <Alert color="yellow" variant="light" mb="sm" title={`${plural(list.data.unreachable.length, 'member')} could not be read`}>
          {list.data.unreachable.map((problem) => (
            <Text size="sm" key={problem.node}>
              {problem.message}
            </Text>
          ))}
        </Alert>
      )}

      {traces.length > 0 && (
        <ScrollArea.Autosize mah={330} type="auto" scrollbars="y" offsetScrollbars viewportProps={{ tabIndex: 0, 'aria-label': 'Traces, scrollable' }}>
          <Table aria-label="Traces" tabularNums stickyHeader highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Time</Table.Th>
                <Table.Th scope="col">Node</Table.Th>
                <Table.Th scope="col">Op</Table.Th>
                <Table.Th scope="col">Bucket / key</Table.Th>
                <Table.Th scope="col" style={{ textAlign: 'right' }}>
                  Duration
                </Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col" style={{ textAlign: 'right' }}>
                  Messages
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {traces.map((listing) => {
                const current = shown !== undefined && shown.node === listing.node && shown.id === listing.id;
                return (
                  <Table.Tr key={`${listing.node}\u0000${listing.id}`} aria-current={current ? 'true' : undefined}>
                    {/* The row shown below is marked by a bar and bold text, not by colour alone. */}
                    <Table.Td style={current ? { boxShadow: 'inset 3px 0 0 var(--mantine-color-blue-filled)' } : undefined}>
                      <Text span size="sm" fw={current ? 700 : undefined} style={{ whiteSpace: 'nowrap' }}>
                        {formatTimeOfDay(listing.startedAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text span size="sm" ff="monospace">
                        {listing.node}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text span size="sm" ff="monospace" fw={600}>
                        {listing.op.toUpperCase()}
                      </Text>
                    </Table.Td>
                    <Table.Th scope="row" fw={400} style={{ wordBreak: 'break-all' }}>
                      <Anchor href={traceHref(listing.node, listing.id)} size="sm" ff="monospace" fw={current ? 700 : undefined} title={`Trace ${listing.id}`}>
                        {listing.bucket}/{listing.key}
                      </Anchor>
                    </Table.Th>
                    <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                      <Text span size="sm">
                        {formatDuration(listing.durationMs)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={statusColour(listing.status)}>{listing.status ?? 'open'}</Badge>
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>
                      <Text span size="sm">
                        {listing.messages}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}

      {list.isSuccess && (
        <Text size="sm" c="dimmed" mt="sm" role="status" aria-live="polite">
          {traces.length === 0
            ? filtered
              ? 'No trace matches this filter.'
              : 'No traces yet. A node traces every request that asks (the form, or the X-Dynamo-Trace: 1 header) and a sampled share of the rest (--trace-sample).'
            : `${plural(traces.length, 'trace')}, ${filter.slowest ? 'slowest' : 'newest'} first${traces.length >= listLimit ? ` (the first ${listLimit})` : ''}.`}
        </Text>
      )}
    </Paper>
  );
}
