// The fault periods of the window as text, newest first: which node, what kind (with the colour
// that shades it on the charts), what happened, when it began and ended, and how long it lasted
// (or has lasted so far).

import { Badge, Paper, Table, Text, Title } from '@mantine/core';
import { formatClockTime } from '../../lib/format.js';
import { faultColours } from './FaultLegend.js';
import { faultDuration, faultKindWords } from './metrics-format.js';
import type { FaultBand } from './metrics-series.js';

export function FaultList({ bands, consoleNow, window }: { bands: readonly FaultBand[]; consoleNow: number; window: string }) {
  const newestFirst = [...bands].reverse();
  return (
    <Paper component="section" aria-labelledby="fault-periods-title">
      <Title order={2} size="h4" id="fault-periods-title" mb="xs">
        Fault periods
      </Title>
      {newestFirst.length === 0 ? (
        <Text size="sm" c="dimmed">
          No node was killed, crashed, stopped or isolated in the {window}.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-labelledby="fault-periods-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Node</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>What happened</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>Until</Table.Th>
                <Table.Th>Duration</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {newestFirst.map(({ period }) => (
                <Table.Tr key={`${period.node}-${period.kind}-${period.from}`}>
                  <Table.Td ff="monospace">{period.node}</Table.Td>
                  <Table.Td>
                    <Badge color={faultColours[period.kind]}>{faultKindWords[period.kind]}</Badge>
                  </Table.Td>
                  <Table.Td>{period.label}</Table.Td>
                  <Table.Td ff="monospace">{formatClockTime(period.from)}</Table.Td>
                  <Table.Td ff="monospace">{period.to === undefined ? 'now' : formatClockTime(period.to)}</Table.Td>
                  <Table.Td>{faultDuration(period, consoleNow)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
