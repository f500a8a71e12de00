// The Metrics page: the cluster's figures second by second over the last 1, 5 or 15 minutes, for
// the whole cluster or one node: throughput by operation and by node, latency percentiles,
// hints and transfers pending, keys repaired and peer traffic, with every fault period shaded
// behind every chart (Jepsen style). Under the charts, the same information as text: the
// current figures per node and the list of fault periods.

import { Group, Input, Loader, NativeSelect, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { ReadFailure } from '../../components/ReadFailure.js';
import { formatClockTime, plural } from '../../lib/format.js';
import { ownerColours } from '../../lib/owner-colours.js';
import { CurrentFigures } from './CurrentFigures.js';
import { FaultLegend, faultColours } from './FaultLegend.js';
import { FaultList } from './FaultList.js';
import { type ChartSeries, TimeChart } from './TimeChart.js';
import { formatBytesShort, formatByteRate, formatLatency, formatNumber, formatRate, faultsPhrase, windowPhrase } from './metrics-format.js';
import { alignSamples, faultBands, latestFigures, latestIndex, type Operation, operations, pickers, type Scope, scopeValues } from './metrics-series.js';
import { useMetrics } from './use-metrics.js';

const windows = [
  { value: '1', label: '1 min' },
  { value: '5', label: '5 min' },
  { value: '15', label: '15 min' },
];

/** Axis steps for counts (whole numbers: 1, 2, 5, 10, …) and bytes (powers of two: 1 KiB, 2 KiB, 4 KiB, …). */
const wholeSteps = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();
const byteSteps = Array.from({ length: 41 }, (_, power) => 2 ** power);

const operationColours: Record<Operation, ChartSeries['colour']> = { get: 'blue', put: 'teal', delete: 'grape' };

export function MetricsPage() {
  const { buffer, consoleNow, version, history } = useMetrics();
  const [windowMinutes, setWindowMinutes] = useState('5');
  const [scopeChoice, setScopeChoice] = useState('cluster');
  const [latencyOp, setLatencyOp] = useState<Operation>('get');

  const windowMs = Math.min(Number(windowMinutes) * 60_000, buffer.windowMs);
  const fromMs = consoleNow - windowMs;
  // `version` says the buffer took a history; the tick a second moves consoleNow (live samples come with it).
  const aligned = useMemo(() => alignSamples(buffer.samples, fromMs, consoleNow), [buffer, fromMs, consoleNow, version]);
  const figures = latestFigures(buffer.samples, aligned.nodes, consoleNow);
  const nodes = figures.map((figure) => figure.node);
  const scope: Scope = scopeChoice !== 'cluster' && nodes.includes(scopeChoice) ? { kind: 'node', node: scopeChoice } : { kind: 'cluster' };
  const bands = faultBands(buffer.faults, fromMs, consoleNow);
  const latestAt = figures.reduce((newest, figure) => Math.max(newest, figure.latest?.at ?? 0), 0);
  const reporting = figures.filter((figure) => figure.current).length;

  const header = (
    <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
      <div>
        <Title order={1} size="h2">
          Metrics
        </Title>
        <Text c="dimmed" size="sm">
          Every node’s figures, one sample a second; faults shaded behind every chart.
        </Text>
      </div>
      <Group gap="sm" align="flex-end" wrap="nowrap">
        <NativeSelect
          label="Scope"
          size="xs"
          value={scope.kind === 'cluster' ? 'cluster' : scope.node}
          onChange={(event) => setScopeChoice(event.currentTarget.value)}
          data={[{ value: 'cluster', label: 'Whole cluster' }, ...nodes.map((node) => ({ value: node, label: `Node ${node}` }))]}
        />
        <Stack gap={2}>
          <Input.Label size="xs" labelElement="div" id="metrics-window-label">
            Window
          </Input.Label>
          <SegmentedControl size="xs" aria-labelledby="metrics-window-label" value={windowMinutes} onChange={setWindowMinutes} data={windows} />
        </Stack>
      </Group>
    </Group>
  );

  if (!buffer.loaded) {
    return (
      <Stack gap="md">
        {header}
        {history.isError ? (
          <ReadFailure title="The metrics cannot be read" what="Reading the metrics history" error={history.error} onRetry={() => void history.refetch()} retrying={history.isFetching} />
        ) : (
          <Group gap="sm">
            <Loader size="sm" />
            <Text>Reading the metrics…</Text>
          </Group>
        )}
      </Stack>
    );
  }

  const scopeWords = scope.kind === 'cluster' ? 'whole cluster' : `node ${scope.node}`;
  const windowText = windowPhrase(windowMs);
  const chart = { x: aligned.x, fromSec: fromMs / 1000, toSec: consoleNow / 1000, bands, faultColours };
  const name = (title: string, now: string) => `${title} chart, ${scopeWords}, ${windowText}: ${now}; ${faultsPhrase(bands.length)}`;
  const values = (pick: Parameters<typeof scopeValues>[2], combine: 'sum' | 'max' = 'sum') => scopeValues(aligned, scope, pick, combine);
  /** The chart's newest second as words: "get 12/s, put 4/s, delete no figure". */
  const nowText = (series: ChartSeries[], format: (value: number) => string) => {
    const index = latestIndex(series.map((s) => s.values));
    return series
      .map((s) => {
        const value = index === undefined ? null : s.values[index];
        return `${s.label} ${value === null || value === undefined ? 'no figure' : format(value)}`;
      })
      .join(', ');
  };

  const throughput: ChartSeries[] = operations.map((op) => ({ label: op, colour: operationColours[op], values: values(pickers.ops(op)) }));
  const colours = ownerColours(aligned.nodes);
  const byNode: ChartSeries[] = aligned.nodes.map((node) => ({ label: node, colour: colours.get(node) ?? 'blue', values: scopeValues(aligned, { kind: 'node', node }, pickers.allOps, 'sum') }));
  const latency: ChartSeries[] = [
    { label: 'p50', colour: 'cyan', values: values(pickers.latency(latencyOp, 'p50'), 'max') },
    { label: 'p99', colour: 'blue', values: values(pickers.latency(latencyOp, 'p99'), 'max') },
    { label: 'p99.9', colour: 'indigo', values: values(pickers.latency(latencyOp, 'p999'), 'max'), dashed: true },
  ];
  const backlog: ChartSeries[] = [
    { label: 'hints', colour: 'grape', values: values(pickers.hints) },
    { label: 'transfers', colour: 'teal', values: values(pickers.transfers) },
  ];
  const repaired: ChartSeries[] = [{ label: 'keys repaired', colour: 'green', values: values(pickers.repaired) }];
  const peer: ChartSeries[] = [
    { label: 'in', colour: 'blue', values: values(pickers.peerIn) },
    { label: 'out', colour: 'teal', values: values(pickers.peerOut), dashed: true },
  ];
  const whose = scope.kind === 'cluster' ? 'the nodes’ sum' : `node ${scope.node}`;

  return (
    <Stack gap="md" data-latest-sample-at={latestAt > 0 ? latestAt : undefined}>
      {header}
      {history.isError && (
        <ReadFailure title="The metrics history cannot be read again" what="Reading the metrics history" error={history.error} onRetry={() => void history.refetch()} retrying={history.isFetching} />
      )}
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" role="status">
          {buffer.samples.size === 0
            ? 'No samples yet'
            : `${plural(reporting, 'node')} reporting · latest sample ${formatClockTime(latestAt)} · ${plural(bands.length, 'fault period')} in the ${windowText}`}
        </Text>
        <FaultLegend />
      </Group>
      {buffer.samples.size === 0 ? (
        <Paper>
          <Group gap="sm" wrap="nowrap">
            <Loader size="sm" />
            <div>
              <Text fw={500}>Waiting for the first samples</Text>
              <Text size="sm" c="dimmed">
                Every node sends one a second while the console follows its events; the charts start with the first.
              </Text>
            </div>
          </Group>
        </Paper>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <TimeChart
              {...chart}
              title="Throughput"
              description={`Operations answered per second, by operation (${whose}).`}
              name={name('Throughput', nowText(throughput, formatRate))}
              series={throughput}
              format={formatRate}
              axisFormat={formatNumber}
            />
            <TimeChart
              {...chart}
              title="Throughput by node"
              description="Operations each node answered per second; a gap is a second without its sample."
              name={name('Throughput by node', nowText(byNode, formatRate)).replace(`, ${scopeWords}`, ', every node')}
              series={byNode}
              format={formatRate}
              axisFormat={formatNumber}
            />
            <TimeChart
              {...chart}
              title="Latency"
              description={
                scope.kind === 'cluster'
                  ? `Milliseconds to answer a ${latencyOp}: the slowest node’s percentile each second (percentiles of different nodes do not add up).`
                  : `Milliseconds node ${scope.node} took to answer a ${latencyOp}, percentiles each second.`
              }
              name={name(`Latency of ${latencyOp}`, nowText(latency, formatLatency))}
              series={latency}
              format={formatLatency}
              axisFormat={formatNumber}
              controls={
                <SegmentedControl
                  size="xs"
                  aria-label="Latency of"
                  value={latencyOp}
                  onChange={(value) => setLatencyOp(value as Operation)}
                  data={operations.map((op) => ({ value: op, label: op }))}
                />
              }
            />
            <TimeChart
              {...chart}
              title="Hints and transfers pending"
              description={`Hinted writes waiting for their node, and partition transfers not yet done (${whose}).`}
              name={name('Hints and transfers pending', nowText(backlog, formatNumber))}
              series={backlog}
              format={formatNumber}
              axisFormat={formatNumber}
              incrs={wholeSteps}
            />
            <TimeChart
              {...chart}
              title="Keys repaired"
              description={`Keys anti-entropy repaired per second (${whose}).`}
              name={name('Keys repaired', nowText(repaired, formatRate))}
              series={repaired}
              format={formatRate}
              axisFormat={formatNumber}
            />
            <TimeChart
              {...chart}
              title="Peer traffic"
              description={`Bytes per second received from and sent to other nodes (${whose}).`}
              name={name('Peer traffic', nowText(peer, formatByteRate))}
              series={peer}
              format={formatByteRate}
              axisFormat={formatBytesShort}
              incrs={byteSteps}
            />
          </SimpleGrid>
          <CurrentFigures figures={figures} consoleNow={consoleNow} />
        </>
      )}
      <FaultList bands={bands} consoleNow={consoleNow} window={windowText} />
    </Stack>
  );
}
