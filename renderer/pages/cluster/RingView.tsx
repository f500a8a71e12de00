// The ring: Q partition arcs coloured by owner, clockwise from twelve o'clock, with partitions
// in transfer hatched, and a legend. Two layers share one geometry: the picture (an image named
// "Ring…") and, over it, a transparent layer of focusable arcs (an image's children are
// presentational, so the controls cannot live inside it). One arc is in the tab order; arrow
// keys walk the ring. The hovered or focused arc's partition, owner and preference list show in
// the ring's centre and in the arc's accessible name.

import { Box, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useId, useMemo, useRef, useState } from 'react';
import type { ClusterView, RingView as Ring } from '../../../core/admin/admin-api.js';
import { ownerColours } from '../../lib/owner-colours.js';
import { type ArcShape, nextArcPosition, partitionLabel, ringArcs, ringName } from '../../lib/ring-geometry.js';
import { RingLegend } from './RingLegend.js';

const size = 300;
const radii = { inner: 96, outer: 146 };
const colourVar = (name: string) => `var(--mantine-color-${name}-filled)`;

export function RingView({ view }: { view: ClusterView }) {
  const ring = view.ring;
  return (
    <Paper component="section" aria-labelledby="ring-title">
      <Title order={2} size="h4" id="ring-title" mb="sm">
        Ring
      </Title>
      {ring === undefined ? (
        <Text c="dimmed">No ring yet: no node has joined a cluster.</Text>
      ) : (
        <RingPicture ring={ring} view={view} />
      )}
    </Paper>
  );
}

function RingPicture({ ring, view }: { ring: Ring; view: ClusterView }) {
  const hatchId = `hatch-${useId().replace(/:/g, '')}`;
  const arcs = useMemo(() => ringArcs(ring, radii), [ring]);
  const colours = useMemo(() => ownerColours([...view.members.map((m) => m.id), ...arcs.map((a) => a.owner)]), [view.members, arcs]);
  const [focused, setFocused] = useState<number | undefined>(undefined);
  const [hovered, setHovered] = useState<number | undefined>(undefined);
  const [tabStop, setTabStop] = useState(0);
  const refs = useRef<(SVGPathElement | null)[]>([]);
  const shown = hovered ?? focused;
  const active = shown === undefined ? undefined : arcs[shown];
  const viewBox = `${-size / 2} ${-size / 2} ${size} ${size}`;

  const onKeyDown = (position: number, event: React.KeyboardEvent) => {
    const next = nextArcPosition(position, event.key, arcs.length);
    if (next === undefined) return;
    event.preventDefault();
    setTabStop(next);
    refs.current[next]?.focus();
  };

  return (
    <Group align="flex-start" gap="lg" wrap="nowrap">
      <Box pos="relative" w={size} h={size} style={{ flex: 'none' }}>
        <svg role="img" aria-label={ringName(ring)} viewBox={viewBox} width={size} height={size}>
          <defs>
            <pattern id={hatchId} patternUnits="userSpaceOnUse" width={6} height={6} patternTransform="rotate(45)">
              <line x1={0} y1={0} x2={0} y2={6} style={{ stroke: 'var(--mantine-color-body)', strokeWidth: 2.5 }} />
            </pattern>
          </defs>
          {arcs.map((shape) => (
            <g key={shape.index}>
              <path d={shape.path} style={{ fill: colourVar(colours.get(shape.owner) ?? 'gray') }} />
              {shape.movingTo !== undefined && <path d={shape.path} style={{ fill: `url(#${hatchId})` }} />}
            </g>
          ))}
          <RingCentre active={active} ring={ring} view={view} />
        </svg>
        <svg role="group" aria-label="Partitions" viewBox={viewBox} width={size} height={size} style={{ position: 'absolute', inset: 0 }}>
          {arcs.map((shape, position) => (
            <path
              key={shape.index}
              ref={(element) => {
                refs.current[position] = element;
              }}
              d={shape.path}
              role="button"
              aria-label={partitionLabel(shape)}
              tabIndex={position === tabStop ? 0 : -1}
              onFocus={() => {
                setFocused(position);
                setTabStop(position);
              }}
              onBlur={() => setFocused(undefined)}
              onMouseEnter={() => setHovered(position)}
              onMouseLeave={() => setHovered(undefined)}
              onKeyDown={(event) => onKeyDown(position, event)}
              style={{
                fill: 'transparent',
                stroke: position === shown ? 'var(--mantine-color-text)' : 'none',
                strokeWidth: 2.5,
                outline: 'none',
                cursor: 'default',
              }}
            />
          ))}
        </svg>
      </Box>
      <Stack gap="xs" style={{ minWidth: 0 }}>
        <RingLegend ring={ring} colours={colours} hatchId={hatchId} />
        <Text size="xs" c="dimmed">
          Hover an arc, or Tab to the ring and use the arrow keys, to see a partition.
        </Text>
      </Stack>
    </Group>
  );
}

/** The centre of the ring: the active partition, or the ring's figures. */
function RingCentre({ active, ring, view }: { active: ArcShape | undefined; ring: Ring; view: ClusterView }) {
  const lines =
    active === undefined
      ? [`${ring.partitions.length} partitions`, `N=${view.n} R=${view.r} W=${view.w}`, `ring version ${ring.version}`]
      : [
          `Partition ${active.index}`,
          `owner ${active.owner}`,
          `preference ${active.preference.join(', ')}`,
          ...(active.movingTo === undefined ? [] : [`moving to ${active.movingTo}`]),
        ];
  const lineHeight = 18;
  const top = -((lines.length - 1) * lineHeight) / 2;
  return (
    <text textAnchor="middle" dominantBaseline="middle" style={{ fill: 'var(--mantine-color-text)', fontSize: 13 }}>
      {lines.map((line, i) => (
        <tspan key={i} x={0} y={top + i * lineHeight} style={i === 0 ? { fontWeight: 600, fontSize: 15 } : undefined}>
          {line}
        </tspan>
      ))}
    </text>
  );
}
