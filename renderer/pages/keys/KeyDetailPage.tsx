// One key's page: its versions from a quorum read, each with its value in the viewer that fits
// it, content type, size, last modified, dot and clock; a warning with a link to the Conflicts
// page when there are siblings; beside them, where it lives (its partition and preference list on
// the ring) and each preference-list node's own copy, one under the other, the ones that differ
// from the read marked; then its version history. "Write a new value" writes with the read's
// context.

import { Alert, Anchor, Badge, Button, Grid, Group, List, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { KeyDetail, VersionView } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { ValueViewer } from '../../components/ValueViewer.js';
import { joinWords, plural } from '../../lib/format.js';
import { browserHref } from '../../lib/key-routes.js';
import { formatClock, formatDateTime, formatDot, versionsPhrase } from '../../lib/key-text.js';
import { base64ByteLength, formatBytes, utf8Text } from '../../lib/value-bytes.js';
import { base64ToBytes } from '../../lib/value-text.js';
import { conflictHash } from '../conflicts/conflict-route.js';
import { KeyRing } from './KeyRing.js';
import { ReplicaCopies } from './ReplicaCopies.js';
import { useKeyDetail } from './use-keys.js';
import { type WriteDraft, WriteKeyModal } from './WriteKeyModal.js';

export function KeyDetailPage({ bucket, keyName }: { bucket: string; keyName: string }) {
  const detail = useKeyDetail(bucket, keyName);
  const [draft, setDraft] = useState<WriteDraft | undefined>(undefined);
  const data = detail.data;
  // Only a refresh the operator asked for spins the button; the live events refetch quietly.
  const [refreshing, setRefreshing] = useState(false);
  const refresh = () => {
    setRefreshing(true);
    void detail.refetch().finally(() => setRefreshing(false));
  };

  return (
    <Stack gap="md">
      <div>
        <Anchor href={browserHref({ bucket })} size="sm">
          ← Back to the key browser
        </Anchor>
        <Group justify="space-between" align="flex-end" wrap="nowrap" mt={4}>
          <div style={{ minWidth: 0 }}>
            <Title order={1} size="h2" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {keyName}
            </Title>
            <Text c="dimmed" size="sm">
              {data === undefined ? `in bucket ${bucket}` : placementLine(bucket, data)}
            </Text>
          </div>
          <Group gap="sm" wrap="nowrap">
            <Button variant="default" size="sm" onClick={refresh} loading={refreshing}>
              Refresh
            </Button>
            <Button size="sm" disabled={data === undefined} onClick={() => data !== undefined && setDraft(draftFrom(data))}>
              Write a new value
            </Button>
          </Group>
        </Group>
      </div>

      {detail.isError && (
        <ReadFailure
          title="The key cannot be read"
          what={`Reading ${bucket}/${keyName}`}
          error={detail.error}
          onRetry={() => void detail.refetch()}
          retrying={detail.isFetching}
        />
      )}
      {detail.isPending && (
        <Group gap="sm">
          <Loader size="sm" />
          <Text>Reading the key from its replicas…</Text>
        </Group>
      )}
      {data !== undefined && <KeyDetailBody detail={data} />}
      <WriteKeyModal draft={draft} onClose={() => setDraft(undefined)} />
    </Stack>
  );
}

function KeyDetailBody({ detail }: { detail: KeyDetail }) {
  const { read } = detail;
  const versions = read.versions;
  return (
    <>
      <KeyState detail={detail} />
      {detail.notes !== undefined && detail.notes.length > 0 && (
        <Alert color="gray" variant="light" title="Not shown here">
          <List size="sm" spacing={2}>
            {detail.notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Grid gap="md" align="flex-start">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack gap="md">
            {versions.map((version) => (
              <VersionCard key={version.index} version={version} count={versions.length} />
            ))}
            {versions.length === 0 && (
              <Paper>
                <Text size="sm" c="dimmed">
                  The quorum read found no value.
                </Text>
              </Paper>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <KeyRing partition={detail.partition} preference={detail.preference} />
            <ReplicaCopies detail={detail} />
          </Stack>
        </Grid.Col>
      </Grid>
      <HistoryTable detail={detail} />
    </>
  );
}

/** Siblings (with the way to the Conflicts page), deleted, or not found: said before anything else. */
function KeyState({ detail }: { detail: KeyDetail }) {
  const { read } = detail;
  if (read.versions.length > 1) {
    return (
      <Alert color="orange" title={`${versionsPhrase(read.versions.length)}`}>
        <Text size="sm">
          Writes that did not see each other left {plural(read.versions.length, 'version')} side by side; a reader gets them all until someone
          writes a resolution.
        </Text>
        <Button component="a" href={conflictHash({ bucket: read.bucket, key: read.key })} variant="default" size="xs" mt="xs">
          Resolve them on the Conflicts page
        </Button>
      </Alert>
    );
  }
  if (!read.found) {
    return (
      <Alert color="gray" title={read.context === undefined ? 'Not found' : 'Deleted'}>
        {read.context === undefined
          ? 'No replica the quorum read reached holds this key.'
          : 'Only a tombstone remains: the key was deleted, and the tombstone is kept until every replica has it.'}
      </Alert>
    );
  }
  return null;
}

function VersionCard({ version, count }: { version: VersionView; count: number }) {
  const name = count > 1 ? `Version ${version.index} of ${count}` : 'Current version';
  return (
    <Paper component="section" aria-label={name}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={2} size="h4">
          {name}
        </Title>
        {version.deleted && <Badge color="gray">deleted</Badge>}
      </Group>
      <Table aria-label={`${name}: facts`} variant="vertical" withRowBorders={false} verticalSpacing={2} mb="sm" layout="fixed">
        <Table.Tbody>
          <Fact label="Content type" value={version.contentType} />
          <Fact label="Size" value={formatBytes(base64ByteLength(version.value))} />
          <Fact label="Last modified" value={formatDateTime(version.lastModified)} />
          <Fact label="Written by (dot)" value={formatDot(version.dot)} mono />
          <Fact label="Clock" value={formatClock(version.clock)} mono />
        </Table.Tbody>
      </Table>
      <ValueViewer value={version.value} contentType={version.contentType} deleted={version.deleted} label={count > 1 ? `Value of version ${version.index}` : 'Value'} />
    </Paper>
  );
}

function Fact({ label, value, mono = false }: { label: string; value: string; mono?: boolean }) {
  return (
    <Table.Tr>
      <Table.Th w={150} fw={500} c="dimmed" fz="sm">
        {label}
      </Table.Th>
      <Table.Td fz="sm" ff={mono ? 'monospace' : undefined} style={{ wordBreak: 'break-all' }}>
        {value}
      </Table.Td>
    </Table.Tr>
  );
}

function HistoryTable({ detail }: { detail: KeyDetail }) {
  const history = [...detail.history].sort((a, b) => b.lastModified.localeCompare(a.lastModified));
  return (
    <Paper component="section" aria-labelledby="history-title">
      <Title order={2} size="h4" id="history-title" mb="xs">
        History
      </Title>
      {history.length === 0 ? (
        <Text size="sm" c="dimmed">
          No earlier versions are recorded for this key.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Version history" tabularNums>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Dot</Table.Th>
                <Table.Th scope="col">Clock</Table.Th>
                <Table.Th scope="col">Coordinator</Table.Th>
                <Table.Th scope="col">Last modified</Table.Th>
                <Table.Th scope="col" ta="right">
                  Size
                </Table.Th>
                <Table.Th scope="col">Hash</Table.Th>
                <Table.Th scope="col">Now</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.map((entry) => (
                <Table.Tr key={`${formatDot(entry.dot)}@${entry.node}`}>
                  <Table.Td ff="monospace">{formatDot(entry.dot)}</Table.Td>
                  <Table.Td ff="monospace">{formatClock(entry.clock)}</Table.Td>
                  <Table.Td ff="monospace">{entry.node}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.lastModified)}</Table.Td>
                  <Table.Td ta="right">{formatBytes(entry.size)}</Table.Td>
                  <Table.Td ff="monospace">{entry.hash === '' ? '—' : entry.hash}</Table.Td>
                  <Table.Td>
                    {entry.deleted ? <Badge color="gray">deleted</Badge> : entry.current ? <Badge color="green">current</Badge> : <Text span size="sm" c="dimmed">superseded</Text>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

/** "Bucket carts · partition 12 · preference list n2, n3 and n4". */
function placementLine(bucket: string, detail: KeyDetail): string {
  return `Bucket ${bucket} · partition ${detail.partition} · preference list ${joinWords(detail.preference)}`;
}

/** The write form for a key's page: the read's context, its first version's text as the starting value. */
function draftFrom(detail: KeyDetail): WriteDraft {
  const first = detail.read.versions.find((version) => !version.deleted);
  let value = '';
  if (first !== undefined) {
    try {
      value = utf8Text(base64ToBytes(first.value)) ?? '';
    } catch {
      value = '';
    }
  }
  return {
    bucket: detail.read.bucket,
    key: detail.read.key,
    value,
    contentType: first?.contentType ?? 'text/plain',
    ...(detail.read.context === undefined ? {} : { context: detail.read.context, replaces: detail.read.versions.length }),
  };
}
