// A version's vector clock as a small table, node by counter (Dynamo §4.4's [Sx,2],[Sy,1]); the
// entry of the write that made the version (its dot) is marked in words, not by weight alone.

import { Table, Text, VisuallyHidden } from '@mantine/core';
import type { Clock } from '../../lib/version-graph.js';
import { clockEntries } from '../../lib/version-graph.js';

interface Props {
  clock: Clock;
  dot: { node: string; counter: number };
  /** The table's accessible name, e.g. "Clock of Sibling 1". */
  label: string;
}

export function ClockTable({ clock, dot, label }: Props) {
  const entries = clockEntries(clock);
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Empty clock
      </Text>
    );
  }
  return (
    <Table aria-label={label} withTableBorder withColumnBorders highlightOnHover={false} tabularNums fz="sm" style={{ width: 'auto', minWidth: 160, alignSelf: 'flex-start' }}>
      <Table.Tbody>
        <Table.Tr>
          <Table.Th scope="row">Node</Table.Th>
          {entries.map(([node]) => (
            <Table.Th scope="col" key={node} ff="monospace" ta="center">
              {node}
            </Table.Th>
          ))}
        </Table.Tr>
        <Table.Tr>
          <Table.Th scope="row">Counter</Table.Th>
          {entries.map(([node, counter]) => {
            const isDot = node === dot.node && counter === dot.counter;
            return (
              <Table.Td key={node} ta="center" fw={isDot ? 700 : undefined} title={isDot ? 'this version’s own write' : undefined}>
                {counter}
                {isDot && <VisuallyHidden> (this version’s write)</VisuallyHidden>}
              </Table.Td>
            );
          })}
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
