// A run under way, as the nodes tell it exchange by exchange: a bar per running node (its
// exchanges done of its run's), and the ring's partitions lighting up as they are compared,
// orange where segments differed.

import { Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ClusterView } from '../../../core/admin/admin-api.js';
import { formatCount, plural } from '../../lib/format.js';
import { ProgressMeter } from '../../components/ProgressMeter.js';
import { type GridCell, gridLabel, PartitionGrid } from './PartitionGrid.js';
import { progressRuns, type RunProgress } from './run-progress.js';
import { partitionCells, type RunPlanView } from './run-report.js';

interface Props {
  title: string;
  plan: RunPlanView;
  progress: RunProgress;
  view: ClusterView;
}

export function RunProgressPanel({ title, plan, progress, view }: Props) {
  const ringSize = view.ring?.ringSize ?? 0;
  const nodes = [...new Set([...plan.nodes, ...Object.keys(progress.nodes)])];
  const cells = new Map<number, GridCell>();
  for (const [index, expected] of plan.exchanges) {
    cells.set(index, { state: 'waiting', segmentsDiffering: 0, detail: `Partition ${index}: waiting (${plural(expected, 'exchange')} to run)` });
  }
  const found = partitionCells(progressRuns(progress));
  for (const cell of found) {
    const expected = plan.exchanges.get(cell.index) ?? cell.exchanges;
    const state = cell.segmentsDiffering > 0 ? 'differs' : cell.exchanges >= expected ? 'same' : 'partial';
    const where = cell.differingPairs.length > 0 ? ` (${cell.differingPairs.join(', ')})` : '';
    cells.set(cell.index, {
      state,
      segmentsDiffering: cell.segmentsDiffering,
      detail: `Partition ${cell.index}: ${cell.exchanges} of ${plural(expected, 'exchange')} done, ${plural(cell.segmentsDiffering, 'segment')} differed${where}, ${plural(cell.keysRepaired, 'key')} repaired`,
    });
  }
  const compared = found.filter((cell) => cell.exchanges >= (plan.exchanges.get(cell.index) ?? cell.exchanges)).length;
  const differing = found.filter((cell) => cell.segmentsDiffering > 0).length;
  const latest = progress.latest;

  return (
    <Paper component="section" aria-labelledby="progress-title">
      <Stack gap="sm">
        <Group gap="sm" wrap="nowrap">
          <Loader size="sm" aria-hidden />
          <Title order={2} size="h4" id="progress-title">
            Running: {title}
          </Title>
        </Group>
        <Text size="sm" c="dimmed" role="status">
          {latest === undefined
            ? 'Waiting for the first exchange to finish…'
            : `Last exchange: partition ${latest.partition}, ${latest.node} with ${latest.peer}.`}
        </Text>
        <Table aria-label="Progress per node" layout="fixed" withRowBorders={false} verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w={70}>
                Node
              </Table.Th>
              <Table.Th scope="col">Exchanges</Table.Th>
              <Table.Th scope="col" w={260}>
                So far
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {nodes.map((node) => {
              const seen = progress.nodes[node];
              const total = seen?.total ?? plan.exchangesByNode.get(node) ?? 0;
              const done = seen?.done ?? 0;
              return (
                <Table.Tr key={node}>
                  <Table.Td ff="monospace" fw={600}>
                    {node}
                  </Table.Td>
                  <Table.Td>
                    <ProgressMeter
                      label={`Anti-entropy on ${node}`}
                      fraction={total === 0 ? 0 : done / total}
                      valueText={`${formatCount(done)} of ${plural(total, 'exchange')} done`}
                      color={(seen?.segmentsDiffering ?? 0) > 0 ? 'orange' : 'teal'}
                      active={done < total}
                    />
                  </Table.Td>
                  <Table.Td fz="sm">
                    {formatCount(done)} of {formatCount(total)} · {plural(seen?.keysRepaired ?? 0, 'key')} repaired
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {ringSize > 0 && (
          <PartitionGrid
            ringSize={ringSize}
            cells={cells}
            label={gridLabel('Partitions so far', compared, plan.exchanges.size, differing)}
            legend={plan.exchanges.size < ringSize ? ['outside', 'waiting', 'partial', 'same', 'differs'] : ['waiting', 'partial', 'same', 'differs']}
          />
        )}
      </Stack>
    </Paper>
  );
}
