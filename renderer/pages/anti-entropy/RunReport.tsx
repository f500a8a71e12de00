// A run's report (one node's, or every node's of a whole-cluster run): the totals with "keys
// repaired" and its number first (CONTRACT.md), runs that ended early and why, each node's run,
// the ring's partitions coloured by what their exchanges found, the exchanges that found
// differing segments, and the repaired keys (each linking to its key page) with the side that was
// behind and its versions before and after, then what the nodes left out of their lists.

import { Alert, Anchor, Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import type { AntiEntropyRunView, VersionSummary } from '../../../core/admin/admin-api.js';
import { formatCount, joinWords, plural } from '../../lib/format.js';
import { formatClock, formatDateTime } from '../../lib/key-text.js';
import { keyHref } from '../../lib/key-routes.js';
import { formatBytes } from '../../lib/value-bytes.js';
import { Figure } from '../../components/Figure.js';
import { type GridCell, gridLabel, PartitionGrid } from './PartitionGrid.js';
import {
  type FailureGroup,
  failureGroups,
  formatElapsed,
  keysRepairedPhrase,
  partitionCells,
  type RepairRow,
  repairRows,
  reportTotals,
  runScope,
  versionLabel,
  versionsText,
} from './run-report.js';

interface Props {
  title: string;
  runs: readonly AntiEntropyRunView[];
  ringSize: number;
}

export function RunReport({ title, runs, ringSize }: Props) {
  const totals = reportTotals(runs);
  const cells = partitionCells(runs);
  const rows = repairRows(runs);
  const differing = runs.flatMap((run) => run.exchanges.filter((exchange) => exchange.segmentsDiffering > 0).map((exchange) => ({ node: run.node, ...exchange })));
  const grid = new Map<number, GridCell>(
    cells.map((cell) => [
      cell.index,
      {
        state: cell.segmentsDiffering > 0 ? 'differs' : 'same',
        segmentsDiffering: cell.segmentsDiffering,
        detail:
          cell.segmentsDiffering > 0
            ? `Partition ${cell.index}: ${plural(cell.segmentsDiffering, 'segment')} differed (${cell.differingPairs.join(', ')}), ${plural(cell.keysRepaired, 'key')} repaired`
            : `Partition ${cell.index}: in sync (${plural(cell.exchanges, 'exchange')})`,
      },
    ]),
  );
  const nodes = [...new Set(runs.map((run) => run.node))];
  const headline = [
    keysRepairedPhrase(totals.keysRepaired),
    `${plural(totals.partitionsCompared, 'exchange')} (partition × peer)`,
    `${plural(totals.segmentsDiffering, 'segment')} differing`,
    `${formatBytes(totals.bytesSent)} exchanged`,
    formatElapsed(totals.durationMs),
  ].join(' · ');

  return (
    <Paper component="section" aria-labelledby="report-title">
      <Stack gap="md">
        <div>
          <Title order={2} size="h4" id="report-title">
            Report: {title}
          </Title>
          <Text size="sm" c="dimmed">
            {runs.length === 1 ? runWhen(runs[0]) : `${plural(runs.length, 'run')} on ${joinWords(nodes)} · finished ${formatDateTime(totals.finishedAt)}`}
          </Text>
        </div>
        <Text fw={600} role="status">
          {headline}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
          <Figure label="Keys repaired" value={formatCount(totals.keysRepaired)} strong={totals.keysRepaired > 0} />
          <Figure label="Exchanges" value={formatCount(totals.partitionsCompared)} />
          <Figure label="Segments differing" value={formatCount(totals.segmentsDiffering)} />
          <Figure label="Data exchanged" value={formatBytes(totals.bytesSent)} />
          <Figure label="Duration" value={formatElapsed(totals.durationMs)} />
        </SimpleGrid>

        {failureGroups(runs).map((group) => (
          <FailureAlert key={`${group.notRun}:${group.runs[0].runId}`} group={group} />
        ))}

        {runs.length > 1 && <RunsTable runs={runs} />}

        {ringSize > 0 && (
          <Stack gap={6}>
            <Title order={3} size="h5">
              Partitions
            </Title>
            <PartitionGrid
              ringSize={ringSize}
              cells={grid}
              label={gridLabel('Partitions in this report', cells.length, cells.length, cells.filter((cell) => cell.segmentsDiffering > 0).length)}
              legend={['outside', 'same', 'differs']}
            />
          </Stack>
        )}

        {differing.length > 0 && (
          <Stack gap={6}>
            <Title order={3} size="h5">
              Exchanges that found differences
            </Title>
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label="Exchanges that found differences" tabularNums>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Partition</Table.Th>
                    <Table.Th scope="col">Replicas</Table.Th>
                    <Table.Th scope="col">Differing segments</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Keys repaired
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Data
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {differing.map((exchange) => (
                    <Table.Tr key={`${exchange.node}:${exchange.partition}:${exchange.peer}`}>
                      <Table.Td>{exchange.partition}</Table.Td>
                      <Table.Td ff="monospace">
                        {exchange.node} ↔ {exchange.peer}
                      </Table.Td>
                      <Table.Td>
                        <SegmentDots count={exchange.segmentsDiffering} />
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(exchange.keysRepaired)}</Table.Td>
                      <Table.Td ta="right">{formatBytes(exchange.bytesSent)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )}

        <Stack gap={6}>
          <Title order={3} size="h5">
            Repaired keys
          </Title>
          {rows.length === 0 ? (
            <Text size="sm" c="dimmed">
              {totals.keysRepaired === 0
                ? 'No key needed repair: the replicas compared held the same data.'
                : 'The nodes did not list the keys they repaired.'}
            </Text>
          ) : (
            <RepairedKeysTable rows={rows} />
          )}
          {(totals.repairedKeysOmitted > 0 || totals.exchangesOmitted > 0) && (
            <Text size="sm" c="dimmed">
              {[
                totals.repairedKeysOmitted > 0 && `${plural(totals.repairedKeysOmitted, 'more repaired key')} not listed (a node lists at most 100 per run)`,
                totals.exchangesOmitted > 0 && `${plural(totals.exchangesOmitted, 'more exchange')} not listed`,
              ]
                .filter(Boolean)
                .join('; ')}
              .
            </Text>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

/** One alert for the runs one cause stopped: "n1, n2 and n3 ended early", the node's words, how far each got. */
function FailureAlert({ group }: { group: FailureGroup }) {
  const names = joinWords(group.runs.map((run) => run.node));
  const one = group.runs.length === 1;
  const title = group.notRun ? `${names} did not run` : `${one ? `${names}'s run` : `The runs of ${names}`} ended early`;
  const done = group.runs.map((run) => `${run.node} ${formatCount(run.partitionsCompared)}`);
  return (
    <Alert color="orange" variant="light" title={title}>
      <Text size="sm">
        {group.error.replace(/[.\s]+$/, '')}.
        {!group.notRun &&
          (one
            ? ` Its figures cover the ${plural(group.runs[0].partitionsCompared, 'exchange')} it finished.`
            : ` Their figures cover the exchanges they finished (${joinWords(done)}).`)}
      </Text>
    </Alert>
  );
}

function runWhen(run: AntiEntropyRunView): string {
  const kind = run.trigger === 'manual' ? 'Manual run' : 'Background run';
  return `${kind} of ${runScope(run)} · started ${formatDateTime(run.startedAt)}`;
}

function RunsTable({ runs }: { runs: readonly AntiEntropyRunView[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Runs in this report" tabularNums>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Node</Table.Th>
            <Table.Th scope="col" ta="right">
              Exchanges
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Segments differing
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Keys repaired
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Data
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Took
            </Table.Th>
            <Table.Th scope="col">Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.runId}>
              <Table.Td ff="monospace">{run.node}</Table.Td>
              <Table.Td ta="right">{formatCount(run.partitionsCompared)}</Table.Td>
              <Table.Td ta="right">{formatCount(run.segmentsDiffering)}</Table.Td>
              <Table.Td ta="right">{formatCount(run.keysRepaired)}</Table.Td>
              <Table.Td ta="right">{formatBytes(run.bytesSent)}</Table.Td>
              <Table.Td ta="right">{formatElapsed(run.finishedAt - run.startedAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <OutcomeBadge run={run} />
                  {run.peersFailed !== undefined && (
                    <Tooltip label={run.peersFailed.map((failure) => `${failure.peer}: ${failure.error}`).join('; ')} multiline maw={360}>
                      <Text size="xs" c="dimmed" span tabIndex={0}>
                        went on without {run.peersFailed.map((failure) => failure.peer).join(', ')}
                      </Text>
                    </Tooltip>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function OutcomeBadge({ run }: { run: AntiEntropyRunView }) {
  if (run.error === undefined) return run.keysRepaired > 0 ? <Badge color="orange">repaired</Badge> : <Badge color="teal">in sync</Badge>;
  return <Badge color="red">{run.partitionsCompared === 0 && run.exchanges.length === 0 ? 'not run' : 'ended early'}</Badge>;
}

/** Up to 24 dots, one per differing segment, and the count in words. */
function SegmentDots({ count }: { count: number }) {
  const shown = Math.min(count, 24);
  return (
    <Group gap={6} wrap="nowrap">
      <Group gap={2} wrap="nowrap" aria-hidden>
        {Array.from({ length: shown }, (_, i) => (
          <span key={i} style={{ width: 8, height: 8, borderRadius: 2, background: 'var(--mantine-color-orange-filled)', display: 'inline-block' }} />
        ))}
      </Group>
      <Text size="sm" span>
        {formatCount(count)}
      </Text>
    </Group>
  );
}

function RepairedKeysTable({ rows }: { rows: readonly RepairRow[] }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Repaired keys" tabularNums verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Key</Table.Th>
            <Table.Th scope="col" ta="right">
              Partition
            </Table.Th>
            <Table.Th scope="col">Exchange</Table.Th>
            <Table.Th scope="col">Behind</Table.Th>
            <Table.Th scope="col">Versions before → after</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                <Anchor href={keyHref(row.bucket, row.key)} ff="monospace" fz="sm" aria-label={`${row.bucket}/${row.key}`}>
                  <Text span c="dimmed" ff="monospace" fz="sm" inherit>
                    {row.bucket}/
                  </Text>
                  {row.key}
                </Anchor>
              </Table.Td>
              <Table.Td ta="right">{row.partition}</Table.Td>
              <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>
                {row.node} ↔ {row.peer}
              </Table.Td>
              <Table.Td>
                <Badge color={row.behind === 'both' ? 'grape' : 'orange'} variant="light">
                  {row.behind === 'both' ? 'both behind' : `${row.behindNodes[0]} behind`}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Stack gap={4}>
                  {row.sides.map((side) => (
                    <Group key={side.node} gap={6} wrap="nowrap" title={`${side.node}: ${versionsText(side.before)} before, ${versionsText(side.after)} after`}>
                      <Text span ff="monospace" fz="sm" fw={600} w={32}>
                        {side.node}
                      </Text>
                      <VisuallyHidden>before:</VisuallyHidden>
                      <Versions versions={side.before} />
                      <Text span c="dimmed" aria-hidden>
                        →
                      </Text>
                      <VisuallyHidden>after:</VisuallyHidden>
                      <Versions versions={side.after} />
                    </Group>
                  ))}
                </Stack>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Versions({ versions }: { versions: readonly VersionSummary[] }) {
  if (versions.length === 0) {
    return (
      <Text span size="sm" c="dimmed" fs="italic">
        none
      </Text>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      {versions.map((version) => {
        const detail = `clock ${formatClock(version.clock)}, ${formatBytes(version.size)}${version.deleted ? ', deleted' : ''}`;
        // The tooltip is for the mouse; the same words are read out after the dot (a tab stop per version would be too many).
        return (
          <Tooltip key={versionLabel(version)} label={detail}>
            <Badge variant="outline" color={version.deleted ? 'gray' : 'blue'} ff="monospace" tt="none">
              {versionLabel(version)}
              <VisuallyHidden> ({detail})</VisuallyHidden>
            </Badge>
          </Tooltip>
        );
      })}
    </Group>
  );
}
