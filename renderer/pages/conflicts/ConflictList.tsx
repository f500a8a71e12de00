// Every key with siblings, newest first, with the number of versions each holds; a key's name
// is a link to it (#/conflicts/<bucket>/<key>).

import { Alert, Anchor, Badge, Button, Group, Loader, Paper, Table, Text, Title } from '@mantine/core';
import { failureSentence } from '../../lib/failure.js';
import { formatCount, plural } from '../../lib/format.js';
import { formatDateTime } from '../../lib/key-text.js';
import { conflictHash } from './conflict-route.js';
import { conflictKeysMax, useConflictedKeys } from './use-conflicted-keys.js';

export function ConflictList() {
  const list = useConflictedKeys();
  const keys = list.data?.keys;
  return (
    <Paper component="section" aria-labelledby="conflict-list-title">
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <div>
          <Title order={2} size="h4" id="conflict-list-title">
            Keys with siblings
          </Title>
          {keys !== undefined && (
            <Text size="sm" c="dimmed">
              {keys.length === 0 ? 'None now.' : `${plural(keys.length, 'key')}, newest first.`}
              {list.data?.truncated === true && ` Only the first ${formatCount(conflictKeysMax)} are listed.`}
            </Text>
          )}
        </div>
        <Button variant="default" onClick={() => void list.refetch()} loading={list.isRefetching}>
          Refresh
        </Button>
      </Group>
      {list.isError && (
        <Alert color="red" title="The keys cannot be listed" role="alert" mb="sm">
          {failureSentence('Listing the keys with siblings', list.error)}
        </Alert>
      )}
      {keys === undefined ? (
        list.isPending && (
          <Group gap="sm">
            <Loader size="sm" />
            <Text>Listing keys across the cluster…</Text>
          </Group>
        )
      ) : keys.length === 0 ? (
        <Text size="sm">
          No key has siblings. Two writes of one key without a context (for example <Text span ff="monospace">dynamo put</Text> through two
          nodes) make two.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Keys with siblings" tabularNums>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Key</Table.Th>
                <Table.Th scope="col">Bucket</Table.Th>
                <Table.Th scope="col">Versions</Table.Th>
                <Table.Th scope="col">Last written</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((listing) => (
                <Table.Tr key={`${listing.bucket}\u0000${listing.key}`}>
                  <Table.Th scope="row" fw={400}>
                    <Anchor href={conflictHash(listing)} ff="monospace" size="sm" aria-label={`${listing.bucket}/${listing.key}, ${plural(listing.siblings, 'version')}`}>
                      {listing.key}
                    </Anchor>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {listing.bucket}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color="orange">{plural(listing.siblings, 'version')}</Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{listing.lastModified === undefined ? '—' : formatDateTime(listing.lastModified)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
