// The hints waiting, one row per holder → target: how many, how long the oldest has waited, the
// pace of delivery, and, once delivery has begun, a bar of the part delivered of the largest
// backlog the page saw, reaching 100% when the backlog is drained. A backlog whose target cannot
// take it yet says why (the target's state from the cluster view).

import { Badge, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { ClusterView } from '../../../core/admin/admin-api.js';
import { compareNodeIds, formatClockTime, formatCount, formatDuration, joinWords, plural } from '../../lib/format.js';
import { stateColours, stateWord, type StateWord } from '../../lib/member-state.js';
import { hintFraction, type HintTrack } from './handoff-tracking.js';
import { ProgressMeter } from '../../components/ProgressMeter.js';

interface Props {
  rows: readonly HintTrack[];
  view: ClusterView | undefined;
  /** Milliseconds since the latest reading (the ages shown count on from it). */
  sinceReadingMs: number;
  /** The latest reading's time: rows seen in it count their age on. */
  readingAt: number;
}

export function HintBacklogs({ rows, view, sinceReadingMs, readingAt }: Props) {
  const word = (id: string): StateWord | undefined => {
    const member = view?.members.find((candidate) => candidate.id === id);
    return member === undefined ? undefined : stateWord(member);
  };
  const notUp = (view?.members ?? []).filter((member) => stateWord(member) !== 'up').map((member) => member.id).sort(compareNodeIds);
  return (
    <Paper component="section" aria-labelledby="hints-title">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h4" id="hints-title">
            Hints
          </Title>
          <Text size="sm" c="dimmed">
            A write meant for a replica that could not be reached is kept by a fallback as a hint, and handed over once the replica answers again.
          </Text>
        </div>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            {notUp.length === 0
              ? 'No hints waiting: every replica is reachable.'
              : `No hints waiting. ${joinWords(notUp)} ${notUp.length === 1 ? 'is' : 'are'} not up: writes to ${notUp.length === 1 ? 'its' : 'their'} partitions will leave hints on the fallbacks.`}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table aria-label="Hint backlogs" tabularNums verticalSpacing={8}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Held by → for</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Pending
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Oldest waiting
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Delivery rate
                  </Table.Th>
                  <Table.Th scope="col" w="38%">
                    Delivered
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => {
                  const target = word(row.target);
                  const counting = row.pending > 0 && !row.stale && row.seenAt === readingAt;
                  return (
                    <Table.Tr key={row.id}>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Text span ff="monospace" fw={600}>
                            {row.holder}
                          </Text>
                          <Text span c="dimmed" aria-hidden>
                            →
                          </Text>
                          <VisuallyHidden>holds hints for</VisuallyHidden>
                          <Text span ff="monospace" fw={600}>
                            {row.target}
                          </Text>
                          {target !== undefined && <Badge color={stateColours[target]}>{target}</Badge>}
                          {row.stale && (
                            <Badge color="gray" variant="outline">
                              {row.holder} not read
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right" fw={row.pending > 0 ? 700 : undefined}>
                        {formatCount(row.pending)}
                      </Table.Td>
                      <Table.Td ta="right">{row.pending === 0 ? '—' : formatDuration(row.oldestAgeMs + (counting ? sinceReadingMs : 0))}</Table.Td>
                      <Table.Td ta="right">{row.deliveredPerSec > 0 ? `${formatRate(row.deliveredPerSec)}/s` : '—'}</Table.Td>
                      <Table.Td>
                        <Delivery row={row} targetWord={target} />
                      </Table.Td>
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

function Delivery({ row, targetWord }: { row: HintTrack; targetWord: StateWord | undefined }) {
  if (row.phase === 'waiting') {
    const why = targetWord === undefined || targetWord === 'up' ? `waiting for ${row.target} to answer` : `waiting: ${row.target} is ${targetWord}`;
    return (
      <Text size="sm" c="dimmed">
        {row.delivering ? `delivering to ${row.target}…` : why}
      </Text>
    );
  }
  const delivered = row.peak - row.pending;
  const text =
    row.phase === 'delivered'
      ? row.peak === 0
        ? `all delivered${row.drainedAt === undefined ? '' : ` by ${formatClockTime(row.drainedAt)}`}`
        : `all ${formatCount(row.peak)} delivered${row.drainedAt === undefined ? '' : ` by ${formatClockTime(row.drainedAt)}`}`
      : `${formatCount(delivered)} of ${plural(row.peak, 'hint')} delivered`;
  return (
    <Stack gap={4}>
      <ProgressMeter
        label={`Hints for ${row.target} held by ${row.holder}`}
        fraction={hintFraction(row)}
        valueText={text}
        color={row.phase === 'delivered' ? 'teal' : 'blue'}
        active={row.phase === 'draining'}
      />
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Stack>
  );
}

/** "12", "3.5", "0.4" hints a second. */
function formatRate(perSec: number): string {
  return perSec >= 10 ? formatCount(perSec) : perSec.toFixed(1);
}
