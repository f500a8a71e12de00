// Each preference-list node's own copy of the key, one card per node: node and its state, role
// (primary, or a fallback holding a hint), the versions it holds with their dots and clocks,
// and what it says beside the quorum read: the same, differs (with the writes it lacks or has
// extra), or why it could not be read. Colour always comes with the word.

import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { KeyDetail, ReplicaCopy } from '../../../core/admin/admin-api.js';
import { joinWords } from '../../lib/format.js';
import { formatClock, formatDot, replicaStatus, versionDifference } from '../../lib/key-text.js';
import { stateColours, stateWord } from '../../lib/member-state.js';
import { valuePreview } from '../../lib/value-bytes.js';
import { useClusterView } from '../cluster/use-cluster-view.js';

export function ReplicaCopies({ detail }: { detail: KeyDetail }) {
  const differing = detail.replicas.filter((copy) => copy.differs).length;
  return (
    <Paper component="section" aria-labelledby="replicas-title">
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Title order={2} size="h4" id="replicas-title">
          Replicas
        </Title>
        {differing > 0 && <Badge color="orange">{differing === 1 ? '1 copy differs' : `${differing} copies differ`}</Badge>}
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        Each preference-list node’s own copy, read from that node alone (no quorum), compared with the quorum read.
      </Text>
      <Stack gap="sm">
        {detail.replicas.map((copy) => (
          <ReplicaCard key={`${copy.node}:${copy.role}`} copy={copy} detail={detail} />
        ))}
      </Stack>
    </Paper>
  );
}

function ReplicaCard({ copy, detail }: { copy: ReplicaCopy; detail: KeyDetail }) {
  const status = replicaStatus(copy);
  const cluster = useClusterView();
  const member = cluster.data?.members.find((candidate) => candidate.id === copy.node);
  const word = member === undefined ? undefined : stateWord(member);
  const difference = copy.differs ? versionDifference(copy.versions, detail.read.versions) : undefined;
  const borderColour = copy.error !== undefined ? 'red' : copy.differs ? 'orange' : undefined;
  return (
    <Paper
      component="section"
      aria-label={`Copy on ${copy.node}: ${status.word}`}
      p="sm"
      style={borderColour === undefined ? undefined : { borderColor: `var(--mantine-color-${borderColour}-filled)`, borderWidth: 2 }}
    >
      <Stack gap={6}>
        <Group gap="xs" wrap="wrap">
          <Text fw={700} ff="monospace">
            {copy.node}
          </Text>
          {word !== undefined && <Badge color={stateColours[word]}>{word}</Badge>}
          <Badge color="gray" variant="outline">
            {copy.role === 'primary' ? 'primary' : `hint for ${copy.hintFor ?? '?'}`}
          </Badge>
          <Badge color={status.colour} ml="auto">
            {status.word}
          </Badge>
        </Group>
        <Text size="xs" c={copy.error !== undefined ? 'red.9' : 'dimmed'}>
          {status.sentence}
        </Text>
        {difference !== undefined && (difference.missing.length > 0 || difference.extra.length > 0) && (
          <Text size="xs" fw={600}>
            {difference.missing.length > 0 && `Lacks ${joinWords(difference.missing)}. `}
            {difference.extra.length > 0 && `Has ${joinWords(difference.extra)}, which the quorum read has not.`}
          </Text>
        )}
        {copy.versions.map((version) => (
          <Paper key={formatDot(version.dot)} p={6} radius="sm" bg="var(--mantine-color-default-hover)" withBorder={false}>
            <Text size="xs" ff="monospace">
              dot {formatDot(version.dot)} · clock {formatClock(version.clock)}
            </Text>
            <Text size="xs" style={{ wordBreak: 'break-word' }}>
              {version.deleted ? '(deleted)' : valuePreview(version.value, version.contentType)}
            </Text>
          </Paper>
        ))}
      </Stack>
    </Paper>
  );
}
