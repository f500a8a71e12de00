// Where a key lives, on a compact ring (the Cluster page's geometry, renderer/lib/ring-geometry):
// every partition faint, the key's partition outlined, and the partitions its preference list
// walks to (the first one clockwise owned by each listed node) in their owners' colours, with a
// legend that names each node, the partition it was found at, and its state.

import { Badge, Box, Group, List, Paper, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import type { ClusterView } from '../../../core/admin/admin-api.js';
import { joinWords } from '../../lib/format.js';
import { stateColours, stateWord } from '../../lib/member-state.js';
import { ownerColours } from '../../lib/owner-colours.js';
import { preferenceWalk, ringArcs } from '../../lib/ring-geometry.js';
import { useClusterView } from '../cluster/use-cluster-view.js';

const size = 210;
const radii = { inner: 66, outer: 96 };
/** The preference list's partitions stand out of the ring. */
const raised = { inner: 58, outer: 104 };
const swatch = 12;

export function KeyRing({ partition, preference }: { partition: number; preference: string[] }) {
  const cluster = useClusterView();
  const view = cluster.data;
  return (
    <Paper component="section" aria-labelledby="placement-title">
      <Title order={2} size="h4" id="placement-title" mb="xs">
        Placement
      </Title>
      {view?.ring === undefined ? (
        <Text size="sm" c="dimmed">
          Partition {partition}; preference list {joinWords(preference)}. {view === undefined ? 'Reading the ring…' : 'The cluster has no ring yet.'}
        </Text>
      ) : (
        <Placement view={view} partition={partition} preference={preference} />
      )}
    </Paper>
  );
}

function Placement({ view, partition, preference }: { view: ClusterView; partition: number; preference: string[] }) {
  const ring = view.ring!;
  const arcs = useMemo(() => ringArcs(ring, radii), [ring]);
  const raisedArcs = useMemo(() => ringArcs(ring, raised), [ring]);
  const walk = useMemo(() => preferenceWalk(ring, partition, preference), [ring, partition, preference]);
  const colours = useMemo(() => ownerColours([...view.members.map((m) => m.id), ...arcs.map((a) => a.owner)]), [view.members, arcs]);
  const walked = new Map(walk.filter((step) => step.partition !== undefined).map((step) => [step.partition as number, step.node]));
  const home = raisedArcs.find((shape) => shape.index === partition);
  const name = `Ring: the key is in partition ${partition} of ${ring.partitions.length}; its preference list is ${joinWords(
    walk.map((step) => (step.partition === undefined ? step.node : `${step.node} (partition ${step.partition})`)),
  )}`;
  const viewBox = `${-size / 2} ${-size / 2} ${size} ${size}`;
  return (
    <Group align="flex-start" gap="md" wrap="nowrap">
      <Box w={size} h={size} style={{ flex: 'none' }}>
        <svg role="img" aria-label={name} viewBox={viewBox} width={size} height={size}>
          {arcs.map((shape) => (
            <path key={shape.index} d={shape.path} style={{ fill: 'var(--mantine-color-default-border)' }} />
          ))}
          {raisedArcs
            .filter((shape) => walked.has(shape.index))
            .map((shape) => (
              <path key={shape.index} d={shape.path} style={{ fill: `var(--mantine-color-${colours.get(walked.get(shape.index)!) ?? 'gray'}-filled)` }} />
            ))}
          {home !== undefined && <path d={home.path} style={{ fill: 'none', stroke: 'var(--mantine-color-text)', strokeWidth: 2.5 }} />}
          <text textAnchor="middle" dominantBaseline="middle" style={{ fill: 'var(--mantine-color-text)', fontSize: 13 }}>
            <tspan x={0} y={-9} style={{ fontWeight: 600, fontSize: 15 }}>
              Partition {partition}
            </tspan>
            <tspan x={0} y={11}>
              {preference.length} replicas
            </tspan>
          </text>
        </svg>
      </Box>
      <List listStyleType="none" spacing={6} aria-label="Preference list" style={{ minWidth: 0 }}>
        {walk.map((step, position) => {
          const member = view.members.find((candidate) => candidate.id === step.node);
          const word = member === undefined ? undefined : stateWord(member);
          return (
            <List.Item key={step.node}>
              <Group gap={6} wrap="nowrap">
                <svg width={swatch} height={swatch} aria-hidden="true" style={{ flex: 'none' }}>
                  <rect width={swatch} height={swatch} rx={3} style={{ fill: `var(--mantine-color-${colours.get(step.node) ?? 'gray'}-filled)` }} />
                </svg>
                <Text size="sm" ff="monospace" fw={600}>
                  {step.node}
                </Text>
                {word !== undefined && <Badge color={stateColours[word]}>{word}</Badge>}
              </Group>
              <Text size="xs" c="dimmed" pl={swatch + 6}>
                {position === 0
                  ? `owns partition ${partition}`
                  : step.partition === undefined
                    ? `replica ${position + 1}`
                    : `replica ${position + 1}, owns partition ${step.partition}`}
              </Text>
            </List.Item>
          );
        })}
        <List.Item>
          <Text size="xs" c="dimmed">
            Outlined: the key’s partition. Raised: the partitions whose owners hold its replicas, walking clockwise.
          </Text>
        </List.Item>
      </List>
    </Group>
  );
}
