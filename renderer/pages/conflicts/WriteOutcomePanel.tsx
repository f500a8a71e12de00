// What a resolution write left, from KeyWriteResult: "Resolved: one version remains" with that
// version, or, when another write arrived meanwhile, the versions that remain and which one the
// write made, said plainly rather than as a success.

import { Alert, Badge, Stack, Table, Text } from '@mantine/core';
import { formatClock, formatDateTime } from '../../lib/key-text.js';
import { valuePreview } from '../../lib/value-bytes.js';
import type { ShownOutcome } from './use-resolution.js';

const tones = { resolved: 'green', raced: 'orange', gone: 'red' } as const;

export function WriteOutcomePanel({ outcome, onDismiss }: { outcome: ShownOutcome; onDismiss: () => void }) {
  return (
    <Alert
      color={tones[outcome.state]}
      variant="light"
      title={`${outcome.what}. ${outcome.title}`}
      role={outcome.state === 'resolved' ? 'status' : 'alert'}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onDismiss}
    >
      <Stack gap="xs">
        <Text size="sm">{outcome.detail}</Text>
        {outcome.remaining.length > 0 && (
          <Table aria-label="Versions that remain" fz="sm" withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Made by</Table.Th>
                <Table.Th scope="col">Clock</Table.Th>
                <Table.Th scope="col">Written</Table.Th>
                <Table.Th scope="col">Value</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outcome.remaining.map(({ version, id, written }) => {
                return (
                  <Table.Tr key={id}>
                    <Table.Th scope="row" ff="monospace">
                      {id}
                    </Table.Th>
                    <Table.Td>
                      <Badge color={written ? 'green' : 'orange'}>{written ? 'this write' : 'concurrent'}</Badge>
                    </Table.Td>
                    <Table.Td ff="monospace">{formatClock(version.clock)}</Table.Td>
                    <Table.Td>{formatDateTime(version.lastModified)}</Table.Td>
                    <Table.Td ff="monospace">{version.deleted ? '(deleted)' : valuePreview(version.value, version.contentType)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Alert>
  );
}

