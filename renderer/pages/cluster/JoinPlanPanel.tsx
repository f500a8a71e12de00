// The join plan before Commit (every partition that moves: from, to, about how many keys; the
// ownership before and after), then the transfers' progress until the new node owns its share.

import { Alert, Button, Group, Paper, Progress, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ClusterView, JoinPlan } from '../../../core/admin/admin-api.js';
import { formatCount } from '../../lib/format.js';
import { joinProgress, summarizeJoinPlan } from '../../lib/join-plan-summary.js';
import type { JoinPhase } from './use-join-plan.js';

interface Props {
  plan: JoinPlan;
  phase: JoinPhase;
  view: ClusterView | undefined;
  onCommit: () => void;
  onCancel: () => void;
  onDismiss: () => void;
}

export function JoinPlanPanel({ plan, phase, view, onCommit, onCancel, onDismiss }: Props) {
  const summary = summarizeJoinPlan(plan, view);
  const inProgress = phase === 'transferring';
  const finished = inProgress && joinProgress(plan, view).finished;
  return (
    <Paper component="section" aria-labelledby="join-plan-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="join-plan-title">
          {finished ? `${plan.node} joined` : inProgress ? `Joining ${plan.node}` : `Join plan for ${plan.node}`}
        </Title>
        <Text size="sm">{summary.sentence}</Text>
        {inProgress ? (
          <TransferProgress plan={plan} view={view} onDismiss={onDismiss} />
        ) : (
          <>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <ScrollArea.Autosize mah={220} type="auto" viewportProps={{ tabIndex: 0 }}>
                <Table aria-label="Partitions that move" tabularNums stickyHeader withTableBorder>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Partition</Table.Th>
                      <Table.Th scope="col">From</Table.Th>
                      <Table.Th scope="col">To</Table.Th>
                      <Table.Th scope="col" ta="right">
                        Keys (about)
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {summary.moves.map((move) => (
                      <Table.Tr key={move.partition}>
                        <Table.Td>{move.partition}</Table.Td>
                        <Table.Td ff="monospace">{move.from}</Table.Td>
                        <Table.Td ff="monospace">{move.to}</Table.Td>
                        <Table.Td ta="right">{formatCount(move.keysEstimate)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
              <Table aria-label="Partitions owned before and after" tabularNums withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Member</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Owns now
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      After the join
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {summary.ownership.map((row) => (
                    <Table.Tr key={row.id}>
                      <Table.Td ff="monospace">{row.id}</Table.Td>
                      <Table.Td ta="right">{row.before}</Table.Td>
                      <Table.Td ta="right">{row.after}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </SimpleGrid>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" size="sm" onClick={onCancel} loading={phase === 'cancelling'} disabled={phase === 'committing'}>
                Cancel
              </Button>
              <Button size="sm" onClick={onCommit} loading={phase === 'committing'} disabled={phase === 'cancelling'}>
                Commit
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}

function TransferProgress({ plan, view, onDismiss }: { plan: JoinPlan; view: ClusterView | undefined; onDismiss: () => void }) {
  const progress = joinProgress(plan, view);
  return (
    <Stack gap="xs">
      <Progress
        value={progress.percent}
        size="lg"
        color={progress.finished ? 'green' : 'blue'}
        striped={!progress.finished}
        animated={!progress.finished}
        aria-label={`Transfers to ${plan.node}`}
      />
      {progress.finished ? (
        <Alert color="green" variant="light" role="status" title="Join complete" withCloseButton closeButtonLabel="Dismiss" onClose={onDismiss}>
          {progress.sentence}
        </Alert>
      ) : (
        <Text size="sm" role="status">
          {progress.sentence}
        </Text>
      )}
    </Stack>
  );
}
