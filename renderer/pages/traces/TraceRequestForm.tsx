// "Trace a request": sends one GET, PUT or DELETE through the member chosen, with tracing on, and
// hands the answer and its trace to the page, which draws it at once. Node (the cluster's
// members), Operation, Bucket, Key, and per operation: R for a GET; Value, Content type, Context,
// W and Durable (dw) for a PUT; Context, W and Durable for a DELETE. Afterwards it says what the node answered and,
// when the answer carried a context, offers it for the next write.

import { Alert, Badge, Button, Code, CopyButton, Group, NativeSelect, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { MemberView, TraceOp, TraceRequest, TraceRequestResult } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { failureSentence } from '../../lib/failure.js';
import { stateWord } from '../../lib/member-state.js';
import { useClusterView } from '../cluster/use-cluster-view.js';
import { draftRequest, emptyDraft, type TraceDraft } from './trace-draft.js';
import { httpColour } from './trace-text.js';
import { useTraceRequest } from './use-traces.js';

interface Props {
  /** Called with the request and its result once the node has answered. */
  onTraced: (request: TraceRequest, result: TraceRequestResult) => void;
}

export function TraceRequestForm({ onTraced }: Props) {
  const view = useClusterView();
  const traced = useTraceRequest();
  const [draft, setDraft] = useState<TraceDraft>(emptyDraft);
  const [last, setLast] = useState<{ request: TraceRequest; result: TraceRequestResult } | undefined>(undefined);
  const set = (change: Partial<TraceDraft>) => setDraft((current) => ({ ...current, ...change }));

  const members = view.data?.members ?? [];
  const node = draft.node !== '' ? draft.node : defaultNode(members);
  const n = view.data?.n ?? 3;
  const defaultQuorum = draft.op === 'get' ? view.data?.r : view.data?.w;
  const quorumLabel = draft.op === 'get' ? 'R' : 'W';
  const missing = node === '' || draft.bucket === '' || draft.key === '';

  const submit = () => {
    const request = draftRequest(draft, node);
    traced.mutate(request, {
      onSuccess: (result) => {
        setLast({ request, result });
        onTraced(request, result);
      },
    });
  };

  return (
    <Paper component="section" aria-labelledby="trace-request-title">
      <Title order={2} size="h4" id="trace-request-title" mb={4}>
        Trace a request
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Sends one request through the member you choose with X-Dynamo-Trace on, and draws what its coordinator did.
      </Text>
      {view.isError && (
        <ReadFailure title="The members cannot be listed" what="Reading the cluster" error={view.error} onRetry={() => void view.refetch()} retrying={view.isFetching} />
      )}
      <form
        aria-label="Trace a request"
        onSubmit={(event) => {
          event.preventDefault();
          if (!missing) submit();
        }}
      >
        <Stack gap="sm">
          <NativeSelect
            label="Node"
            value={node}
            onChange={(event) => set({ node: event.currentTarget.value })}
            data={members.length === 0 ? [{ value: '', label: view.isPending ? 'reading members…' : 'no members' }] : members.map((member) => ({ value: member.id, label: `${member.id} (${stateWord(member)})` }))}
          />
          <div>
            <Text component="div" size="sm" fw={500} mb={4} id="trace-operation-label">
              Operation
            </Text>
            <SegmentedControl
              aria-labelledby="trace-operation-label"
              fullWidth
              value={draft.op}
              onChange={(value) => set({ op: value as TraceOp, quorum: '', dw: '' })}
              data={[
                { value: 'get', label: 'GET' },
                { value: 'put', label: 'PUT' },
                { value: 'delete', label: 'DELETE' },
              ]}
            />
          </div>
          <Group grow align="flex-start">
            <NativeSelect
              label={quorumLabel}
              description={draft.op === 'get' ? 'replies to wait for' : 'acks to wait for'}
              value={draft.quorum}
              onChange={(event) => set({ quorum: event.currentTarget.value })}
              data={[
                { value: '', label: defaultQuorum === undefined ? 'default' : `${defaultQuorum} (default)` },
                ...Array.from({ length: n }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })),
              ]}
            />
            {draft.op !== 'get' && (
              <NativeSelect
                label="Durable"
                description="acks on disk (dw)"
                value={draft.dw}
                onChange={(event) => set({ dw: event.currentTarget.value })}
                data={[{ value: '', label: '0 (default)' }, ...Array.from({ length: n }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }))]}
              />
            )}
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Bucket" required value={draft.bucket} onChange={(e) => set({ bucket: e.currentTarget.value })} spellCheck={false} autoComplete="off" />
            <TextInput label="Key" required value={draft.key} onChange={(e) => set({ key: e.currentTarget.value })} spellCheck={false} autoComplete="off" />
          </Group>
          {draft.op === 'put' && (
            <>
              <Textarea
                label="Value"
                value={draft.value}
                onChange={(e) => set({ value: e.currentTarget.value })}
                autosize
                minRows={2}
                maxRows={8}
                spellCheck={false}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              />
              <TextInput label="Content type" value={draft.contentType} onChange={(e) => set({ contentType: e.currentTarget.value })} spellCheck={false} />
            </>
          )}
          {draft.op !== 'get' && (
            <TextInput
              label="Context"
              description="From a read, to replace what it saw; empty for a blind write"
              value={draft.context}
              onChange={(e) => set({ context: e.currentTarget.value })}
              spellCheck={false}
              autoComplete="off"
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
          )}
          {traced.isError && (
            <Alert color="red" variant="light" title="The request could not be sent" role="alert">
              {failureSentence(`Tracing ${draft.op.toUpperCase()} ${draft.bucket}/${draft.key} through ${node}`, traced.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" size="sm" disabled={missing} loading={traced.isPending}>
              Trace a request
            </Button>
          </Group>
          {last !== undefined && !traced.isError && <LastAnswer last={last} onUseContext={(context) => set({ context, op: draft.op === 'get' ? 'put' : draft.op })} />}
        </Stack>
      </form>
    </Paper>
  );
}

/** The first member that is up; the first member when none is. */
function defaultNode(members: readonly MemberView[]): string {
  return (members.find((member) => stateWord(member) === 'up') ?? members[0])?.id ?? '';
}

function LastAnswer({ last, onUseContext }: { last: { request: TraceRequest; result: TraceRequestResult }; onUseContext: (context: string) => void }) {
  const { request, result } = last;
  const traceNote =
    result.trace === undefined
      ? 'It kept no trace: the request was refused before it was coordinated.'
      : result.trace.forwardedTo !== null
        ? `It forwarded the put to ${result.trace.forwardedTo}; both traces are shown below.`
        : 'Its trace is shown below.';
  return (
    <Stack gap={6} role="status" aria-live="polite">
      <Group gap="xs" wrap="wrap">
        <Text size="sm">
          {request.node} answered {request.op.toUpperCase()} {request.bucket}/{request.key} with
        </Text>
        <Badge color={httpColour(result.status)} size="lg" tt="none">
          {result.summary}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        {traceNote}
      </Text>
      {result.context !== undefined && (
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" c="dimmed" style={{ flex: 'none' }}>
            Context
          </Text>
          <Code style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{result.context}</Code>
          <CopyButton value={result.context}>
            {({ copied, copy }) => (
              <Button variant="subtle" size="compact-xs" onClick={copy} style={{ flex: 'none' }}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button variant="light" size="compact-xs" onClick={() => onUseContext(result.context!)} style={{ flex: 'none' }}>
            Write with it
          </Button>
        </Group>
      )}
    </Stack>
  );
}
