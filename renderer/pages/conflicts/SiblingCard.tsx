// One sibling, as a group named "Sibling N": its value (the shared value viewer), its clock,
// the node that coordinated the write and when, and "Keep this".

import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useId } from 'react';
import type { VersionView } from '../../../core/admin/admin-api.js';
import { formatDateTime, formatDot } from '../../lib/key-text.js';
import { ValueViewer } from '../../components/ValueViewer.js';
import { ClockTable } from './ClockTable.js';

interface Props {
  version: VersionView;
  /** Undefined for a version that cannot be kept from here (a single version, nothing to resolve). */
  keep?: {
    onKeep: () => void;
    pending: boolean;
    disabled: boolean;
    /** The sentence saying what the write does. */
    describedBy: string;
  };
  /** The group's name; "Sibling N" by default. */
  name?: string;
}

export function SiblingCard({ version, keep, name = `Sibling ${version.index}` }: Props) {
  const titleId = useId();
  return (
    <Paper role="group" aria-labelledby={titleId} h="100%">
      <Stack gap="sm" h="100%">
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Title order={3} size="h5" id={titleId}>
            {name}
          </Title>
          <Group gap={6} wrap="nowrap">
            {version.deleted && <Badge color="gray">deleted</Badge>}
            <Badge variant="outline" color="blue" ff="monospace" tt="none" aria-label={`version ${formatDot(version.dot)}`}>
              {formatDot(version.dot)}
            </Badge>
          </Group>
        </Group>
        <ValueViewer value={version.value} contentType={version.contentType} deleted={version.deleted} label={`Value of ${name}`} maxHeight={240} />
        <ClockTable clock={version.clock} dot={version.dot} label={`Clock of ${name}`} />
        <Text size="xs" c="dimmed">
          Coordinated by{' '}
          <Text span ff="monospace" fw={600} c="var(--mantine-color-text)">
            {version.dot.node}
          </Text>{' '}
          · written {formatDateTime(version.lastModified)} · {version.contentType}
        </Text>
        {keep !== undefined && (
          <Group mt="auto">
            <Button
              onClick={keep.onKeep}
              loading={keep.pending}
              disabled={keep.disabled || version.deleted}
              aria-describedby={keep.describedBy}
              variant="light"
            >
              Keep this
            </Button>
            {version.deleted && (
              <Text size="xs" c="dimmed">
                A deletion is kept with <Text span ff="monospace">dynamo delete</Text>.
              </Text>
            )}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
