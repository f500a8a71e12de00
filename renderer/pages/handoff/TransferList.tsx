// Partition transfers: one row per transfer, with a bar of the keys sent of the keys in all (the
// sender's estimate when it started), the time left at the pace so far, and its state; then the
// ones that ended lately, their bars full (done) or stopped where they failed.

import { Badge, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { formatClockTime, formatCount, formatDuration } from '../../lib/format.js';
import { type TransferTrack, transferFraction } from './handoff-tracking.js';
import { ProgressMeter } from '../../components/ProgressMeter.js';

interface Props {
  active: readonly TransferTrack[];
  ended: readonly TransferTrack[];
}

const stateLooks = {
  waiting: { colour: 'gray', word: 'waiting' },
  sending: { colour: 'blue', word: 'sending' },
  done: { colour: 'teal', word: 'done' },
  failed: { colour: 'red', word: 'failed' },
} as const;

export function TransferList({ active, ended }: Props) {
  const rows = [...active, ...ended];
  return (
    <Paper component="section" aria-labelledby="transfers-title">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h4" id="transfers-title">
            Partition transfers
          </Title>
          <Text size="sm" c="dimmed">
            When a node joins or leaves, each partition that changes hands is streamed from its old owner to the new one.
          </Text>
        </div>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            No partitions are moving: the ring is settled.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table aria-label="Transfers" tabularNums verticalSpacing={8}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" ta="right">
                    Partition
                  </Table.Th>
                  <Table.Th scope="col">From → to</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col" w="36%">
                    Keys sent
                  </Table.Th>
                  <Table.Th scope="col">Time left or ended</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => {
                  const look = stateLooks[row.state];
                  const text = keysText(row);
                  return (
                    <Table.Tr key={row.id}>
                      <Table.Td ta="right" fw={600}>
                        {row.index}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap" ff="monospace">
                          <Text span ff="monospace">
                            {row.from}
                          </Text>
                          <Text span c="dimmed" aria-hidden>
                            →
                          </Text>
                          <VisuallyHidden>to</VisuallyHidden>
                          <Text span ff="monospace">
                            {row.to}
                          </Text>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={look.colour}>{look.word}</Badge>
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={4}>
                          <ProgressMeter
                            label={`Transfer of partition ${row.index} from ${row.from} to ${row.to}`}
                            fraction={transferFraction(row)}
                            valueText={text}
                            color={row.state === 'failed' ? 'red' : row.state === 'done' ? 'teal' : 'blue'}
                            active={row.state === 'sending'}
                          />
                          <Text size="xs" c="dimmed">
                            {text}
                          </Text>
                        </Stack>
                      </Table.Td>
                      <Table.Td fz="sm">{timeText(row)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}

/** "340 of about 1,200 keys", "1,200 keys sent", "waiting to start". */
function keysText(row: TransferTrack): string {
  const total = row.keysTotal;
  switch (row.state) {
    case 'waiting':
      return row.keysSent > 0 ? `${formatCount(row.keysSent)} keys sent; waiting to go on` : 'waiting to start';
    case 'done':
      return `${formatCount(row.keysSent)} ${row.keysSent === 1 ? 'key' : 'keys'} sent`;
    case 'failed':
      return `failed after ${formatCount(row.keysSent)} ${row.keysSent === 1 ? 'key' : 'keys'}; it will be tried again`;
    case 'sending':
      return total === undefined || total === 0 ? `${formatCount(row.keysSent)} keys sent` : `${formatCount(row.keysSent)} of about ${formatCount(total)} keys`;
  }
}

function timeText(row: TransferTrack): string {
  if (row.state === 'done') return row.endedAt === undefined ? 'done' : `done at ${formatClockTime(row.endedAt)}`;
  if (row.state === 'failed') return row.endedAt === undefined ? 'failed' : `failed at ${formatClockTime(row.endedAt)}`;
  if (row.state === 'waiting') return '—';
  return row.etaMs === undefined ? 'measuring…' : `about ${formatDuration(row.etaMs)}`;
}
