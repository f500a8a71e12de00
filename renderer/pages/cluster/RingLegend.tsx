// The ring's legend: each owner's colour with its id and partition count, and the hatching that
// marks partitions in transfer.

import { Group, List, Text } from '@mantine/core';
import type { RingView } from '../../../core/admin/admin-api.js';
import { compareNodeIds, plural } from '../../lib/format.js';
import type { OwnerColour } from '../../lib/owner-colours.js';
import { ownershipCounts } from '../../lib/ring-geometry.js';

const swatch = 14;

interface Props {
  ring: RingView;
  colours: Map<string, OwnerColour>;
  hatchId: string;
}

export function RingLegend({ ring, colours, hatchId }: Props) {
  const counts = ownershipCounts(ring);
  const moving = ring.partitions.filter((p) => p.movingTo !== undefined).length;
  const owners = [...counts.keys()].sort(compareNodeIds);
  return (
    <List listStyleType="none" spacing={4} aria-label="Ring legend">
      {owners.map((id) => (
        <List.Item key={id}>
          <Group gap="xs" wrap="nowrap">
            <svg width={swatch} height={swatch} aria-hidden="true">
              <rect width={swatch} height={swatch} rx={3} style={{ fill: `var(--mantine-color-${colours.get(id) ?? 'gray'}-filled)` }} />
            </svg>
            <Text size="sm">
              <Text span ff="monospace" fw={600}>
                {id}
              </Text>{' '}
              owns {plural(counts.get(id) ?? 0, 'partition')}
            </Text>
          </Group>
        </List.Item>
      ))}
      <List.Item>
        <Group gap="xs" wrap="nowrap">
          <svg width={swatch} height={swatch} aria-hidden="true">
            <rect width={swatch} height={swatch} rx={3} style={{ fill: 'var(--mantine-color-gray-filled)' }} />
            <rect width={swatch} height={swatch} rx={3} style={{ fill: `url(#${hatchId})` }} />
          </svg>
          <Text size="sm">Hatched: in transfer ({moving === 0 ? 'none now' : plural(moving, 'partition')})</Text>
        </Group>
      </List.Item>
    </List>
  );
}
