// The key's version graph (Dynamo §4.4, Figure 3): a box per version ("n1:3" and its time),
// an arrow from each version to those that descend it directly, time flowing down, concurrent
// versions side by side, the current siblings in the last row and their common ancestor
// highlighted, each marked in words as well as colour. The layout comes from
// renderer/lib/version-graph.ts; this only draws it, with a text legend beside it.

import { Box, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useId, useMemo } from 'react';
import type { HistoryEntry, VersionView } from '../../../core/admin/admin-api.js';
import { formatClockTime, plural } from '../../lib/format.js';
import { formatClock } from '../../lib/key-text.js';
import {
  buildVersionGraph,
  type GraphGeometry,
  graphGeometry,
  graphName,
  type PlacedVersion,
  type VersionGraph as Graph,
} from '../../lib/version-graph.js';

const sizes = { nodeWidth: 112, nodeHeight: 56, columnGap: 28, layerGap: 36, margin: 4 };
const swatch = 16;

type Look = 'sibling' | 'ancestor' | 'superseded';

const looks: Record<Look, { fill: string; stroke: string; strokeWidth: number }> = {
  sibling: { fill: 'var(--mantine-color-blue-light)', stroke: 'var(--mantine-color-blue-filled)', strokeWidth: 2.5 },
  ancestor: { fill: 'var(--mantine-color-yellow-light)', stroke: 'var(--mantine-color-yellow-filled)', strokeWidth: 2.5 },
  superseded: { fill: 'var(--mantine-color-body)', stroke: 'var(--mantine-color-gray-6)', strokeWidth: 1.5 },
};

function lookOf(version: PlacedVersion): Look {
  if (version.sibling !== undefined) return 'sibling';
  return version.commonAncestor ? 'ancestor' : 'superseded';
}

/** The word under a version's id and time: what it is, besides its colour. */
function tagOf(version: PlacedVersion, siblings: number): string {
  if (version.sibling !== undefined) return `${siblings > 1 ? `Sibling ${version.sibling}` : 'current'}${version.deleted ? ', deleted' : ''}`;
  if (version.commonAncestor) return 'common ancestor';
  return version.deleted ? 'deleted' : version.current ? 'current' : 'superseded';
}

export function VersionGraph({ history, versions, notes }: { history: HistoryEntry[]; versions: VersionView[]; notes: readonly string[] }) {
  const graph = useMemo(() => buildVersionGraph(history, versions), [history, versions]);
  const geometry = useMemo(() => graphGeometry(graph, sizes), [graph]);
  const arrowId = `arrow-${useId().replace(/:/g, '')}`;
  return (
    <Paper component="section" aria-labelledby="version-graph-title">
      <Title order={2} size="h4" id="version-graph-title" mb="sm">
        Version graph
      </Title>
      <Group align="flex-start" gap="xl" wrap="wrap">
        <Box style={{ flex: 'none', maxWidth: '100%' }}>
          <GraphPicture graph={graph} geometry={geometry} arrowId={arrowId} />
        </Box>
        <GraphLegend graph={graph} historyKept={history.length > 0} notes={notes} />
      </Group>
    </Paper>
  );
}

function GraphPicture({ graph, geometry, arrowId }: { graph: Graph; geometry: GraphGeometry; arrowId: string }) {
  const { nodeWidth, nodeHeight } = sizes;
  return (
    <svg
      role="img"
      aria-label={graphName(graph)}
      viewBox={`0 0 ${geometry.width} ${geometry.height}`}
      width={geometry.width}
      height={geometry.height}
      style={{ maxWidth: '100%', height: 'auto', display: 'block' }}
    >
      <defs>
        <marker id={arrowId} viewBox="0 0 10 10" refX={10} refY={5} markerWidth={7} markerHeight={7} orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: 'var(--mantine-color-gray-6)' }} />
        </marker>
      </defs>
      {geometry.lines.map((line) => {
        const bend = (line.y2 - line.y1) / 2;
        return (
          <path
            key={`${line.from}>${line.to}`}
            d={`M ${line.x1} ${line.y1} C ${line.x1} ${line.y1 + bend} ${line.x2} ${line.y2 - bend} ${line.x2} ${line.y2 - 1}`}
            markerEnd={`url(#${arrowId})`}
            style={{ fill: 'none', stroke: 'var(--mantine-color-gray-6)', strokeWidth: 1.5 }}
          />
        );
      })}
      {graph.versions.map((version) => {
        const box = geometry.boxes.get(version.id);
        if (box === undefined) return null;
        const look = looks[lookOf(version)];
        const at = Date.parse(version.lastModified);
        const centre = box.x + nodeWidth / 2;
        return (
          <g key={version.id}>
            <rect
              x={box.x}
              y={box.y}
              width={nodeWidth}
              height={nodeHeight}
              rx={6}
              style={{ fill: look.fill, stroke: look.stroke, strokeWidth: look.strokeWidth, strokeDasharray: version.deleted ? '5 3' : undefined }}
            />
            <text textAnchor="middle" style={{ fill: 'var(--mantine-color-text)' }}>
              <tspan x={centre} y={box.y + 18} style={{ fontFamily: 'var(--mantine-font-family-monospace)', fontWeight: 600, fontSize: 14 }}>
                {version.id}
              </tspan>
              <tspan x={centre} y={box.y + 33} style={{ fontSize: 11 }}>
                {Number.isNaN(at) ? '' : formatClockTime(at)}
              </tspan>
              <tspan x={centre} y={box.y + 48} style={{ fontSize: 11, fontWeight: lookOf(version) === 'superseded' ? 400 : 600 }}>
                {tagOf(version, graph.siblings.length)}
              </tspan>
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Swatch({ look, dashed = false }: { look: Look; dashed?: boolean }) {
  const style = looks[look];
  return (
    <svg width={swatch} height={swatch} aria-hidden="true" style={{ flex: 'none' }}>
      <rect x={1.5} y={1.5} width={swatch - 3} height={swatch - 3} rx={3} style={{ fill: style.fill, stroke: style.stroke, strokeWidth: 2, strokeDasharray: dashed ? '3 2' : undefined }} />
    </svg>
  );
}

function GraphLegend({ graph, historyKept, notes }: { graph: Graph; historyKept: boolean; notes: readonly string[] }) {
  const siblings = graph.siblings.length;
  const deleted = graph.versions.some((v) => v.deleted);
  const superseded = graph.versions.some((v) => v.sibling === undefined && !v.commonAncestor);
  const shared = formatClock(graph.sharedPast);
  return (
    <Stack gap="xs" maw={420} style={{ flex: '1 1 280px' }}>
      <List listStyleType="none" spacing={6} aria-label="Version graph legend">
        <List.Item>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Swatch look="sibling" />
            <Text size="sm">
              {siblings > 1 ? `Current siblings (${siblings}): the concurrent versions the key holds now, side by side.` : 'The version the key holds now.'}
            </Text>
          </Group>
        </List.Item>
        {siblings > 1 && (
          <List.Item>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Swatch look="ancestor" />
              <Text size="sm">
                {graph.commonAncestor !== undefined
                  ? `Common ancestor ${graph.commonAncestor}: the newest version every sibling descends from; they diverged after it.`
                  : Object.keys(graph.sharedPast).length === 0
                    ? 'No common ancestor: the siblings share no write (a blind write starts from nothing).'
                    : `Common ancestor not in the kept history: the siblings share the writes ${shared}.`}
              </Text>
            </Group>
          </List.Item>
        )}
        {superseded && (
          <List.Item>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Swatch look="superseded" />
              <Text size="sm">Superseded version: a later write replaced it.</Text>
            </Group>
          </List.Item>
        )}
        {deleted && (
          <List.Item>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Swatch look="superseded" dashed />
              <Text size="sm">Dashed: a deletion (tombstone).</Text>
            </Group>
          </List.Item>
        )}
        {graph.edges.length > 0 && (
          <List.Item>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <svg width={swatch} height={swatch} aria-hidden="true" style={{ flex: 'none' }}>
                <path d="M 8 1 L 8 12" style={{ stroke: 'var(--mantine-color-gray-6)', strokeWidth: 1.5 }} />
                <path d="M 4 10 L 8 15 L 12 10 z" style={{ fill: 'var(--mantine-color-gray-6)' }} />
              </svg>
              <Text size="sm">Arrow: the version below descends the one above (its writer had read it). Only direct parents are drawn.</Text>
            </Group>
          </List.Item>
        )}
      </List>
      <Text size="xs" c="dimmed">
        Each box is a write, named by its coordinator and counter, with its time.
        {!historyKept && ' The nodes kept no history for this key, so only the current versions are drawn.'}
        {graph.omitted > 0 && ` ${plural(graph.omitted, 'older version')} not drawn.`}
      </Text>
      {notes.map((note) => (
        <Text size="xs" c="dimmed" key={note}>
          {note}
        </Text>
      ))}
    </Stack>
  );
}
