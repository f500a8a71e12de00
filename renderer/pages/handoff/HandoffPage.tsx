// The Handoff page: what hinted handoff and partition transfers are doing across the cluster.
// The figures first (hints waiting, for how many targets, transfers under way and done lately),
// then every hint backlog (holder → target) with its age, its pace and a bar of its delivery, and
// every transfer with a bar of its keys sent and the time left. The live events refetch it as
// hints are delivered and transfers move; members that could not be read are named, with why.

import { Alert, Button, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useNow } from '../../app/use-now.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { formatCount, plural } from '../../lib/format.js';
import { Figure } from '../../components/Figure.js';
import { useClusterView } from '../cluster/use-cluster-view.js';
import { hintRows, transferRows } from './handoff-tracking.js';
import { HintBacklogs } from './HintBacklogs.js';
import { TransferList } from './TransferList.js';
import { useHandoff } from './use-handoff.js';

export function HandoffPage() {
  const { query, tracking } = useHandoff();
  const cluster = useClusterView();
  const now = useNow();
  const data = query.data;
  const hints = hintRows(tracking);
  const transfers = transferRows(tracking);
  const pending = hints.reduce((sum, row) => sum + row.pending, 0);
  const targets = new Set(hints.filter((row) => row.pending > 0).map((row) => row.target));
  // Only a refresh the operator asked for spins the button; the live events refetch quietly.
  const [refreshing, setRefreshing] = useState(false);
  const refresh = () => {
    setRefreshing(true);
    void query.refetch().finally(() => setRefreshing(false));
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={1} size="h2">
            Handoff
          </Title>
          <Text c="dimmed" size="sm">
            Writes held for replicas that were away, and partitions moving to new owners, until they arrive.
          </Text>
        </div>
        <Button variant="default" size="sm" onClick={refresh} loading={refreshing}>
          Refresh
        </Button>
      </Group>

      {query.isError && (
        <ReadFailure title="Handoff cannot be read" what="Reading hints and transfers" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      )}
      {query.isPending && (
        <Group gap="sm">
          <Loader size="sm" />
          <Text>Reading every member’s hints and transfers…</Text>
        </Group>
      )}
      {data !== undefined && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Figure label="Hints waiting" value={formatCount(pending)} strong={pending > 0} />
            <Figure label="Targets waiting" value={formatCount(targets.size)} />
            <Figure label="Transfers under way" value={formatCount(transfers.active.length)} strong={transfers.active.length > 0} />
            <Figure label="Transfers done lately" value={formatCount(transfers.ended.length)} />
          </SimpleGrid>
          <Text size="sm" role="status">
            {pending === 0 ? 'No hints waiting' : `${plural(pending, 'hint')} waiting for ${plural(targets.size, 'member')}`}
            {' · '}
            {transfers.active.length === 0 ? 'no transfer under way' : `${plural(transfers.active.length, 'transfer')} under way`}
          </Text>
          {data.unreachable.length > 0 && (
            <Alert color="yellow" variant="light" title={`${plural(data.unreachable.length, 'member')} could not be read`}>
              <Stack gap={2}>
                {data.unreachable.map((problem) => (
                  <Text key={problem.node} size="sm">
                    {problem.message}. Hints it holds are not counted until it answers.
                  </Text>
                ))}
              </Stack>
            </Alert>
          )}
          <HintBacklogs rows={hints} view={cluster.data} sinceReadingMs={Math.max(0, now - query.dataUpdatedAt)} readingAt={tracking.at} />
          <TransferList active={transfers.active} ended={transfers.ended} />
        </>
      )}
    </Stack>
  );
}
