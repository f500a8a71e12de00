// The ring's partitions as a grid of squares, in index order, each one's state in colour and in
// the legend's words: outside the run, waiting, compared with nothing different, or with
// differing segments (their number written in the square). One picture with a name that says
// what it shows in numbers; hovering a square names its partition and what was found there.

import { Box, Group, Stack, Text } from '@mantine/core';
import { formatCount, plural } from '../../lib/format.js';

export type CellState = 'outside' | 'chosen' | 'waiting' | 'partial' | 'same' | 'differs';

export interface GridCell {
  state: CellState;
  /** Segments that differed there (written in a `differs` square). */
  segmentsDiffering: number;
  /** Shown on hover: "Partition 12: 2 of 2 exchanges, 3 segments differed (n4 ↔ n2)". */
  detail: string;
}

interface Props {
  ringSize: number;
  cells: ReadonlyMap<number, GridCell>;
  /** The picture's accessible name: what it shows, in numbers. */
  label: string;
  /** Which states the legend names (the ones this grid can show). */
  legend: readonly CellState[];
  /** Smaller squares, for a preview beside a form. */
  compact?: boolean;
}

const looks: Record<CellState, { fill: string; stroke: string; word: string; text?: string }> = {
  outside: { fill: 'transparent', stroke: 'var(--mantine-color-default-border)', word: 'not in this run' },
  chosen: { fill: 'var(--mantine-color-blue-light)', stroke: 'var(--mantine-color-blue-outline)', word: 'compared by this run' },
  waiting: { fill: 'var(--mantine-color-default-hover)', stroke: 'var(--mantine-color-default-border)', word: 'waiting' },
  partial: { fill: 'var(--mantine-color-teal-light)', stroke: 'var(--mantine-color-teal-outline)', word: 'being compared' },
  // Black text on the filled squares: white on teal or orange falls short of AA contrast.
  same: { fill: 'var(--mantine-color-teal-filled)', stroke: 'var(--mantine-color-teal-filled)', word: 'compared, in sync', text: 'var(--mantine-color-black)' },
  differs: { fill: 'var(--mantine-color-orange-filled)', stroke: 'var(--mantine-color-orange-filled)', word: 'segments differed', text: 'var(--mantine-color-black)' },
};

function shape(ringSize: number, compact: boolean): { columns: number; cell: number; gap: number } {
  if (ringSize <= 16) return { columns: ringSize, cell: compact ? 24 : 32, gap: 4 };
  if (ringSize <= 64) return { columns: 16, cell: compact ? 24 : 30, gap: compact ? 3 : 4 };
  if (ringSize <= 256) return { columns: 32, cell: 16, gap: 3 };
  return { columns: 32, cell: 10, gap: 2 };
}

export function PartitionGrid({ ringSize, cells, label, legend, compact = false }: Props) {
  const { columns, cell, gap } = shape(ringSize, compact);
  const rows = Math.ceil(ringSize / columns);
  const width = columns * (cell + gap) - gap;
  const height = rows * (cell + gap) - gap;
  const numbers = cell >= 22;
  return (
    <Stack gap="xs">
      <Box style={{ overflowX: 'auto' }}>
        <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} width={width} height={height} style={{ display: 'block' }}>
          {Array.from({ length: ringSize }, (_, index) => {
            const entry = cells.get(index) ?? { state: 'outside' as const, segmentsDiffering: 0, detail: `Partition ${index}: not in this run` };
            const look = looks[entry.state];
            const x = (index % columns) * (cell + gap);
            const y = Math.floor(index / columns) * (cell + gap);
            return (
              <g key={index}>
                <title>{entry.detail}</title>
                <rect
                  x={x + 0.5}
                  y={y + 0.5}
                  width={cell - 1}
                  height={cell - 1}
                  rx={3}
                  style={{ fill: look.fill, stroke: look.stroke, strokeWidth: 1, strokeDasharray: entry.state === 'outside' ? '3 2' : undefined }}
                />
                {numbers && entry.state === 'differs' && (
                  <text x={x + cell / 2} y={y + cell / 2} textAnchor="middle" dominantBaseline="central" style={{ fill: look.text, fontSize: 12, fontWeight: 700 }}>
                    {entry.segmentsDiffering > 99 ? '99+' : entry.segmentsDiffering}
                  </text>
                )}
                {numbers && entry.state !== 'differs' && (
                  <text
                    x={x + cell / 2}
                    y={y + cell / 2}
                    textAnchor="middle"
                    dominantBaseline="central"
                    style={{ fill: look.text ?? 'var(--mantine-color-dimmed)', fontSize: cell >= 28 ? 10 : 9 }}
                  >
                    {index}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </Box>
      <Group gap="md" wrap="wrap" aria-hidden>
        {legend.map((state) => (
          <Group key={state} gap={6} wrap="nowrap">
            <Box
              w={12}
              h={12}
              style={{
                borderRadius: 3,
                background: looks[state].fill,
                border: `1px ${state === 'outside' ? 'dashed' : 'solid'} ${looks[state].stroke}`,
              }}
            />
            <Text size="xs" c="dimmed">
              {looks[state].word}
            </Text>
          </Group>
        ))}
        {numbers && legend.includes('differs') && (
          <Text size="xs" c="dimmed">
            The number in an orange square counts its differing segments.
          </Text>
        )}
      </Group>
    </Stack>
  );
}

/** The grid's name in numbers: "Partitions: 23 of 64 compared, 2 with differing segments". */
export function gridLabel(what: string, compared: number, inRun: number, differing: number): string {
  return `${what}: ${formatCount(compared)} of ${plural(inRun, 'partition')} compared, ${formatCount(differing)} with differing segments`;
}
