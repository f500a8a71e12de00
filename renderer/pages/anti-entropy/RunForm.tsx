// What to run anti-entropy on: the whole cluster, one node (with every other replica, or one
// peer), or one partition (on a node chosen, or on its first replica that is up). Below the
// choice, what the run will do on the cluster as it is now (who runs, how many exchanges), what
// will go wrong as things stand, and the button "Run anti-entropy" (CONTRACT.md).

import { Alert, Button, Grid, Group, NativeSelect, NumberInput, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { AntiEntropyTarget, ClusterView } from '../../../core/admin/admin-api.js';
import { compareNodeIds, joinWords, plural } from '../../lib/format.js';
import { type GridCell, PartitionGrid } from './PartitionGrid.js';
import { planRunView, type RunPlanView } from './run-report.js';

type Scope = 'cluster' | 'node' | 'partition';

const scopes: Array<{ value: Scope; label: string }> = [
  { value: 'cluster', label: 'Whole cluster' },
  { value: 'node', label: 'One node' },
  { value: 'partition', label: 'One partition' },
];

const everyReplica = '';
const firstUp = '';

interface Props {
  view: ClusterView;
  running: boolean;
  onRun: (target: AntiEntropyTarget) => void;
}

export function RunForm({ view, running, onRun }: Props) {
  const members = view.members.map((member) => member.id).sort(compareNodeIds);
  const ringSize = view.ring?.ringSize ?? 0;
  const [scope, setScope] = useState<Scope>('cluster');
  const [node, setNode] = useState(members[0] ?? '');
  const [peer, setPeer] = useState(everyReplica);
  const [partition, setPartition] = useState<number | string>(0);
  const [partitionNode, setPartitionNode] = useState(firstUp);

  const partitionIndex = typeof partition === 'number' && Number.isInteger(partition) && partition >= 0 && partition < ringSize ? partition : undefined;
  const replicas = partitionIndex === undefined ? [] : (view.ring?.partitions[partitionIndex]?.preference ?? []);
  const target = targetOf(scope, node, peer, partitionIndex, replicas.includes(partitionNode) ? partitionNode : firstUp);
  const plan: RunPlanView | undefined = target === undefined ? undefined : planRunView(target, view);
  const problem = target === undefined ? `A partition is a whole number from 0 to ${ringSize - 1}.` : plan?.problem;

  // The preview beside the form: the partitions the run will compare.
  const chosen = new Map<number, GridCell>();
  if (problem === undefined) {
    for (const [index, exchanges] of plan?.exchanges ?? []) {
      chosen.set(index, { state: 'chosen', segmentsDiffering: 0, detail: `Partition ${index}: compared (${plural(exchanges, 'exchange')})` });
    }
  }

  return (
    <Paper component="section" aria-labelledby="run-title">
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="sm">
            <Title order={2} size="h4" id="run-title">
              Run now
            </Title>
            <SegmentedControl
              aria-label="Scope"
              data={scopes}
              value={scope}
              onChange={(value) => setScope(value as Scope)}
              disabled={running}
              fullWidth
            />
            {scope === 'node' && (
              <Group gap="md" align="flex-end" wrap="wrap">
                <NativeSelect
                  label="Node"
                  data={members}
                  value={node}
                  onChange={(event) => {
                    setNode(event.currentTarget.value);
                    if (event.currentTarget.value === peer) setPeer(everyReplica);
                  }}
                  disabled={running}
                  w={160}
                />
                <NativeSelect
                  label="Peer"
                  data={[{ value: everyReplica, label: 'Every other replica' }, ...members.filter((id) => id !== node).map((id) => ({ value: id, label: id }))]}
                  value={peer}
                  onChange={(event) => setPeer(event.currentTarget.value)}
                  disabled={running}
                  w={200}
                />
              </Group>
            )}
            {scope === 'partition' && (
              <Group gap="md" align="flex-end" wrap="wrap">
                <NumberInput
                  label="Partition"
                  description={`0 to ${ringSize - 1}`}
                  value={partition}
                  onChange={setPartition}
                  min={0}
                  max={Math.max(0, ringSize - 1)}
                  allowDecimal={false}
                  allowNegative={false}
                  disabled={running}
                  w={160}
                />
                <NativeSelect
                  label="On node"
                  description={replicas.length === 0 ? 'Its replicas' : `Replicas: ${joinWords(replicas)}`}
                  data={[{ value: firstUp, label: 'First replica that is up' }, ...replicas.map((id) => ({ value: id, label: id }))]}
                  value={replicas.includes(partitionNode) ? partitionNode : firstUp}
                  onChange={(event) => setPartitionNode(event.currentTarget.value)}
                  disabled={running}
                  w={240}
                />
              </Group>
            )}
            {plan !== undefined && plan.problem === undefined && (
              <Text size="sm" c="dimmed">
                {plan.sentence} Keys found behind on one side are copied from the other; concurrent versions are kept side by side as siblings.
              </Text>
            )}
            {plan?.warning !== undefined && problem === undefined && (
              <Alert color="yellow" variant="light" p="xs">
                <Text size="sm">{plan.warning}</Text>
              </Alert>
            )}
            {problem !== undefined && (
              <Text size="sm" c="red.9" role="status">
                {problem}
              </Text>
            )}
            <Group>
              <Button size="sm" loading={running} disabled={problem !== undefined || target === undefined} onClick={() => target !== undefined && onRun(target)}>
                Run anti-entropy
              </Button>
            </Group>
          </Stack>
        </Grid.Col>
        {ringSize > 0 && (
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <Stack gap={6}>
              <Text size="sm" fw={600}>
                Partitions it compares
              </Text>
              <PartitionGrid
                ringSize={ringSize}
                cells={chosen}
                label={`Partitions this run compares: ${chosen.size} of ${ringSize}`}
                legend={['chosen', 'outside']}
                compact
              />
            </Stack>
          </Grid.Col>
        )}
      </Grid>
    </Paper>
  );
}

function targetOf(scope: Scope, node: string, peer: string, partition: number | undefined, partitionNode: string): AntiEntropyTarget | undefined {
  switch (scope) {
    case 'cluster':
      return {};
    case 'node':
      return peer === everyReplica ? { node } : { node, peer };
    case 'partition':
      if (partition === undefined) return undefined;
      return partitionNode === firstUp ? { partition } : { partition, node: partitionNode };
  }
}
