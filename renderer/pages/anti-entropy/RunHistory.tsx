// The runs every member remembers, manual and background, newest first; the background runs
// that found everything in sync are hidden unless asked for (each node runs one every few
// seconds). Each row opens its report. Members that could not be read are named, with why.

import { Alert, Badge, Button, Checkbox, Group, Loader, Paper, ScrollArea, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { AntiEntropyRunView } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { formatClockTime, formatCount, plural } from '../../lib/format.js';
import { OutcomeBadge } from './RunReport.js';
import { formatElapsed } from './run-report.js';
import { useAntiEntropyRuns } from './use-anti-entropy.js';

interface Props {
  selected: string | undefined;
  onSelect: (run: AntiEntropyRunView) => void;
}

/** A background run worth listing: it repaired something, or failed. */
function noteworthy(run: AntiEntropyRunView): boolean {
  return run.trigger === 'manual' || run.keysRepaired > 0 || run.error !== undefined;
}

export function RunHistory({ selected, onSelect }: Props) {
  const history = useAntiEntropyRuns();
  const [all, setAll] = useState(false);
  const data = history.data;
  const shown = data === undefined ? [] : data.runs.filter((run) => all || noteworthy(run));
  const hidden = data === undefined ? 0 : data.runs.length - data.runs.filter(noteworthy).length;

  return (
    <Paper component="section" aria-labelledby="history-title">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={2} size="h4" id="history-title">
              Recent runs
            </Title>
            <Text size="sm" c="dimmed">
              Manual runs and background exchanges, as each member remembers them (its last 50), newest first.
            </Text>
          </div>
          <Checkbox
            label={`Include background runs that found everything in sync${data === undefined ? '' : ` (${formatCount(hidden)})`}`}
            checked={all}
            onChange={(event) => setAll(event.currentTarget.checked)}
          />
        </Group>
        {history.isError && (
          <ReadFailure
            title="The runs cannot be read"
            what="Reading the anti-entropy runs"
            error={history.error}
            onRetry={() => void history.refetch()}
            retrying={history.isFetching}
          />
        )}
        {history.isPending && (
          <Group gap="sm">
            <Loader size="sm" />
            <Text size="sm">Reading every member’s runs…</Text>
          </Group>
        )}
        {data !== undefined && data.unreachable.length > 0 && (
          <Alert color="yellow" variant="light" title={`${plural(data.unreachable.length, 'member')} could not be asked`}>
            <Stack gap={2}>
              {data.unreachable.map((problem) => (
                <Text key={problem.node} size="sm">
                  {problem.message}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        {data !== undefined &&
          (shown.length === 0 ? (
            <Text size="sm" c="dimmed">
              {data.runs.length === 0
                ? 'No runs yet. Every manual run shows here, and every background exchange.'
                : `No manual run yet, and no background run has repaired anything: ${plural(hidden, 'background run')} found the replicas in sync.`}
            </Text>
          ) : (
            <ScrollArea.Autosize mah={440} type="auto" offsetScrollbars="y" viewportProps={{ tabIndex: 0, 'aria-label': 'Recent runs, scrollable' }}>
              <Table aria-label="Recent runs" tabularNums stickyHeader highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Started</Table.Th>
                    <Table.Th scope="col">Node</Table.Th>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">Scope</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Exchanges
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Keys repaired
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Took
                    </Table.Th>
                    <Table.Th scope="col">Outcome</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Report</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((run) => {
                    const isSelected = run.runId === selected;
                    return (
                      <Table.Tr key={`${run.node}:${run.runId}`} bg={isSelected ? 'var(--mantine-color-blue-light)' : undefined}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatClockTime(run.startedAt)}</Table.Td>
                        <Table.Td ff="monospace">{run.node}</Table.Td>
                        <Table.Td>
                          <Badge color={run.trigger === 'manual' ? 'blue' : 'gray'} variant="light">
                            {run.trigger}
                          </Badge>
                        </Table.Td>
                        <Table.Td fz="sm">{scopeWords(run)}</Table.Td>
                        <Table.Td ta="right">{formatCount(run.partitionsCompared)}</Table.Td>
                        <Table.Td ta="right" fw={run.keysRepaired > 0 ? 700 : undefined}>
                          {formatCount(run.keysRepaired)}
                        </Table.Td>
                        <Table.Td ta="right">{formatElapsed(run.finishedAt - run.startedAt)}</Table.Td>
                        <Table.Td>
                          <OutcomeBadge run={run} />
                        </Table.Td>
                        <Table.Td>
                          <Button
                            variant={isSelected ? 'light' : 'subtle'}
                            size="compact-xs"
                            aria-pressed={isSelected}
                            aria-label={`Report of ${run.node}'s ${run.trigger} run at ${formatClockTime(run.startedAt)}`}
                            onClick={() => onSelect(run)}
                          >
                            Report
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          ))}
      </Stack>
    </Paper>
  );
}

/** "all partitions", "partition 12 with n3", "all partitions with n2". */
function scopeWords(run: AntiEntropyRunView): string {
  const what = run.partition === undefined ? 'all partitions' : `partition ${run.partition}`;
  return run.peer === undefined ? what : `${what} with ${run.peer}`;
}
