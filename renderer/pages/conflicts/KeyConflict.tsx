// One key's conflict: its siblings side by side (each with "Keep this"), what a resolution write
// supersedes, the version graph, a diff of any two siblings and the merged value; after a write,
// what remains. Every write carries the context of the read shown here, which stays as it was
// until the operator reads again (see use-siblings.ts).

import { Alert, Anchor, Badge, Box, Button, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useId, useMemo, useRef } from 'react';
import type { KeyDetail } from '../../../core/admin/admin-api.js';
import { FailureAlerts } from '../../components/FailureAlerts.js';
import { useFailures } from '../../components/use-failures.js';
import { failureSentence } from '../../lib/failure.js';
import { formatClockTime, joinWords, plural } from '../../lib/format.js';
import { supersedeSentence } from '../../lib/resolution.js';
import { valueText } from '../../lib/value-text.js';
import { keyHref } from '../../lib/key-routes.js';
import { formatDot } from '../../lib/key-text.js';
import { conflictsPath, type KeyRef } from './conflict-route.js';
import { MergePanel } from './MergePanel.js';
import { SiblingCard } from './SiblingCard.js';
import { type ShownSibling, SiblingDiff } from './SiblingDiff.js';
import { useResolution } from './use-resolution.js';
import { useReveal } from './use-reveal.js';
import { useSiblings } from './use-siblings.js';
import { VersionGraph } from './VersionGraph.js';
import { WriteOutcomePanel } from './WriteOutcomePanel.js';

export function KeyConflict({ selected }: { selected: KeyRef }) {
  const detail = useSiblings(selected);
  const { failures, report, dismiss } = useFailures();
  const resolution = useResolution(report);
  const data = detail.data;
  const name = `${selected.bucket}/${selected.key}`;
  const answer = useRef<HTMLDivElement>(null);
  useReveal(answer, resolution.outcome ?? failures[0]?.id);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Group gap="md">
            <Anchor href={`#/${conflictsPath}`} size="sm">
              ← All keys with siblings
            </Anchor>
            <Anchor href={keyHref(selected.bucket, selected.key)} size="sm">
              This key on the Keys page (replicas and history)
            </Anchor>
          </Group>
          <Title order={2} size="h3" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {name}
          </Title>
          {data !== undefined && (
            <Text c="dimmed" size="sm">
              {keyFacts(data, detail.dataUpdatedAt)}
            </Text>
          )}
        </div>
        <Button variant="default" onClick={() => void detail.refetch()} loading={detail.isRefetching} disabled={resolution.pending !== undefined}>
          Read again
        </Button>
      </Group>

      {(failures.length > 0 || resolution.outcome !== undefined) && (
        <Box ref={answer} tabIndex={-1} style={{ outline: 'none', scrollMarginTop: 'calc(var(--app-shell-header-height, 52px) + 8px)' }}>
          <Stack gap="sm">
            <FailureAlerts failures={failures} onDismiss={dismiss} />
            {resolution.outcome !== undefined && <WriteOutcomePanel outcome={resolution.outcome} onDismiss={resolution.dismissOutcome} />}
          </Stack>
        </Box>
      )}

      {detail.isError && (
        <Alert color="red" title="The key cannot be read" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{failureSentence(`Reading ${name}`, detail.error)}</Text>
            <Button size="xs" variant="light" color="red" onClick={() => void detail.refetch()} loading={detail.isFetching}>
              Try again
            </Button>
          </Stack>
        </Alert>
      )}
      {data === undefined ? (
        detail.isPending && (
          <Group gap="sm">
            <Loader size="sm" />
            <Text>Reading {name} from its replicas…</Text>
          </Group>
        )
      ) : (
        <KeyBody detail={data} resolution={resolution} />
      )}
    </Stack>
  );
}

/** "2 versions · partition 12 · preference list n2, n3 and n4 · read at 10:01:02". */
function keyFacts(detail: KeyDetail, readAt: number): string {
  const parts = [
    detail.read.found ? plural(detail.read.versions.length, 'version') : 'not found',
    `partition ${detail.partition}`,
    `preference list ${joinWords(detail.preference)}`,
    `read at ${formatClockTime(readAt)}`,
  ];
  return parts.join(' · ');
}

function KeyBody({ detail, resolution }: { detail: KeyDetail; resolution: ReturnType<typeof useResolution> }) {
  const read = detail.read;
  // The read's notes about history belong beside the graph; those about replica copies concern
  // the Keys page, which shows the copies.
  const historyNotes = (detail.notes ?? []).filter((note) => /histor/i.test(note));
  const statementId = useId();
  const siblings: ShownSibling[] = useMemo(() => read.versions.map((version) => ({ version, value: valueText(version.value, version.contentType) })), [read]);
  const busy = resolution.pending !== undefined;

  if (siblings.length < 2) {
    return (
      <>
        <Paper>
          <Stack gap="sm">
            <Group gap="xs">
              <Badge color="green">no conflict</Badge>
              <Text size="sm">
                {siblings.length === 0 ? 'The key holds no version now: nothing to resolve.' : 'The key holds one version now: nothing to resolve.'}
              </Text>
            </Group>
            {siblings.length === 1 && (
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <SiblingCard version={siblings[0].version} name="Current version" />
              </SimpleGrid>
            )}
          </Stack>
        </Paper>
        {(detail.history.length > 0 || siblings.length > 0) && <VersionGraph history={detail.history} versions={read.versions} notes={historyNotes} />}
      </>
    );
  }

  const statement = supersedeSentence(siblings.length);
  const pending = resolution.pending;
  return (
    <>
      <Alert color="blue" variant="light" p="sm" role="note" aria-label="What a resolution write does">
        <Text size="sm" fw={600} id={statementId}>
          {statement}
        </Text>
        <Text size="sm">
          “Keep this” and “Write merged value” supersede {joinWords(siblings.map((s) => `Sibling ${s.version.index} (${formatDot(s.version.dot)})`))} with the
          context of the read shown here. A write that reaches the key after that read is not superseded: it stays as a sibling, and the page will say so.
        </Text>
      </Alert>

      <SimpleGrid cols={{ base: 1, md: Math.min(siblings.length, 3) }} spacing="md">
        {siblings.map(({ version }) => (
          <SiblingCard
            key={formatDot(version.dot)}
            version={version}
            keep={{
              onKeep: () => resolution.write(read, { kind: 'keep', sibling: version.index, value: version.value, contentType: version.contentType }),
              pending: pending?.kind === 'keep' && pending.sibling === version.index,
              disabled: busy,
              describedBy: statementId,
            }}
          />
        ))}
      </SimpleGrid>

      <VersionGraph history={detail.history} versions={read.versions} notes={historyNotes} />
      <SiblingDiff siblings={siblings} />
      <MergePanel
        key={read.context ?? ''}
        siblings={siblings}
        statement={statement}
        onWrite={(text, contentType) => resolution.write(read, { kind: 'merge', text, contentType })}
        pending={pending?.kind === 'merge'}
        disabled={busy}
      />
    </>
  );
}
