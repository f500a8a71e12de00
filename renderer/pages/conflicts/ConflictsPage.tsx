// The Conflicts page (Dynamo §4.4, reconciliation by the operator): the keys that have siblings,
// newest first; for one key its siblings side by side, the version graph, a diff of any two,
// and the resolution (keep one, or write a merged value) with what remains afterwards.

import { Stack, Text, Title } from '@mantine/core';
import { ConflictList } from './ConflictList.js';
import { KeyConflict } from './KeyConflict.js';
import { useSelectedKey } from './use-conflict-route.js';

export function ConflictsPage() {
  const selected = useSelectedKey();
  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          Conflicts
        </Title>
        <Text c="dimmed" size="sm">
          Keys holding concurrent versions (siblings) that no write has reconciled yet.
        </Text>
      </div>
      {selected === undefined ? <ConflictList /> : <KeyConflict key={`${selected.bucket}\u0000${selected.key}`} selected={selected} />}
    </Stack>
  );
}
