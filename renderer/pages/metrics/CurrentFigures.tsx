// The latest figures as text: the whole cluster's (the sum of the nodes that reported in the last
// few seconds; latency: the slowest node's) and each node's newest sample with its age. A node
// silent for longer shows no figures, only how long it has been silent.

import { Paper, Table, Text, Title } from '@mantine/core';
import type { MetricSample } from '../../../core/admin/admin-api.js';
import { formatDuration } from '../../lib/format.js';
import { formatByteRate, formatLatency, formatNumber, formatRate } from './metrics-format.js';
import { clusterFigures, type NodeFigures } from './metrics-series.js';

const columns = ['Get', 'Put', 'Delete', 'p99 get', 'p99 put', 'In flight', 'Hints', 'Transfers', 'Repaired', 'Peer in', 'Peer out'];

function cells(sample: MetricSample | undefined): string[] {
  if (sample === undefined) return columns.map(() => '–');
  const p99 = (op: 'get' | 'put') => {
    const latency = sample.latencyMs?.[op];
    return latency === null || latency === undefined ? '–' : formatLatency(latency.p99);
  };
  return [
    formatRate(sample.opsPerSecond.get),
    formatRate(sample.opsPerSecond.put),
    formatRate(sample.opsPerSecond.delete),
    p99('get'),
    p99('put'),
    formatNumber(sample.requestsInFlight),
    formatNumber(sample.hintsPending),
    formatNumber(sample.transfersPending),
    formatRate(sample.keysRepaired),
    formatByteRate(sample.peerBytesIn),
    formatByteRate(sample.peerBytesOut),
  ];
}

export function CurrentFigures({ figures, consoleNow }: { figures: readonly NodeFigures[]; consoleNow: number }) {
  const cluster = clusterFigures(figures);
  return (
    <Paper component="section" aria-labelledby="current-figures-title">
      <Title order={2} size="h4" id="current-figures-title" mb="xs">
        Current figures
      </Title>
      <Table.ScrollContainer minWidth={900}>
        <Table aria-labelledby="current-figures-title" fz="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Node</Table.Th>
              <Table.Th>Last sample</Table.Th>
              {columns.map((column) => (
                <Table.Th key={column} ta="right">
                  {column}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr fw={600}>
              <Table.Td>Whole cluster</Table.Td>
              <Table.Td>{cluster === undefined ? 'no node reporting' : `${figures.filter((f) => f.current).length} of ${figures.length} nodes`}</Table.Td>
              {cells(cluster).map((cell, i) => (
                <Table.Td key={columns[i]} ta="right" ff="monospace">
                  {cell}
                </Table.Td>
              ))}
            </Table.Tr>
            {figures.map((figure) => (
              <Table.Tr key={figure.node}>
                <Table.Td ff="monospace">{figure.node}</Table.Td>
                <Table.Td>
                  {figure.latest === undefined ? (
                    <Text size="xs" c="dimmed">
                      none in the window
                    </Text>
                  ) : figure.current ? (
                    consoleNow - figure.latest.at < 1000 ? 'just now' : `${formatDuration(consoleNow - figure.latest.at)} ago`
                  ) : (
                    <Text size="xs" c="red" fw={600}>
                      silent for {formatDuration(consoleNow - figure.latest.at)}
                    </Text>
                  )}
                </Table.Td>
                {cells(figure.current ? figure.latest?.sample : undefined).map((cell, i) => (
                  <Table.Td key={columns[i]} ta="right" ff="monospace">
                    {cell}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
