// The key browser's filter and the keys it finds: text boxes Bucket and Prefix, the checkbox
// "Only keys with siblings" and the page size (CONTRACT.md names the first three); then the keys,
// each a link to its page, and a line that says how far the listing has got ("120 keys shown ·
// 14 of 64 partitions scanned") beside Load more, so the operator never waits on a blind scan.

import { Anchor, Badge, Button, Checkbox, Group, Loader, NativeSelect, Paper, Table, Text, TextInput, Title } from '@mantine/core';
import { ReadFailure } from '../../components/ReadFailure.js';
import { formatCount } from '../../lib/format.js';
import { type KeyFilter, keyHref, keysPerPageChoices } from '../../lib/key-routes.js';
import { formatDateTime, listingProgress } from '../../lib/key-text.js';
import { keyQuery, useKeyPages } from './use-keys.js';

interface Props {
  /** The filter as typed (the inputs show it). */
  filter: KeyFilter;
  /** The filter once typing has settled (the listing follows it). */
  settled: KeyFilter;
  onChange: (filter: KeyFilter) => void;
}

export function KeyList({ filter, settled, onChange }: Props) {
  const pages = useKeyPages(keyQuery(settled));
  const keys = pages.data?.pages.flatMap((page) => page.keys) ?? [];
  const last = pages.data?.pages.at(-1);
  const set = (change: Partial<KeyFilter>) => onChange({ ...filter, ...change });
  // Within one bucket, a bucket column would say the same on every row.
  const showBucket = settled.bucket === '';

  return (
    <Paper component="section" aria-labelledby="key-browser-title">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={2} size="h4" id="key-browser-title">
          Key browser
        </Title>
        <Button variant="default" size="compact-sm" onClick={() => void pages.refetch()} loading={pages.isRefetching && !pages.isFetchingNextPage}>
          Refresh
        </Button>
      </Group>
      <Group gap="sm" align="flex-end" mb="sm" role="search" aria-label="Filter keys">
        <TextInput
          label="Bucket"
          placeholder="every bucket"
          value={filter.bucket}
          onChange={(event) => set({ bucket: event.currentTarget.value })}
          w={180}
          spellCheck={false}
          autoComplete="off"
        />
        <TextInput
          label="Prefix"
          placeholder="any key"
          value={filter.prefix}
          onChange={(event) => set({ prefix: event.currentTarget.value })}
          style={{ flex: 1, minWidth: 160 }}
          spellCheck={false}
          autoComplete="off"
        />
        <NativeSelect
          label="Keys per page"
          value={String(filter.limit)}
          onChange={(event) => set({ limit: Number(event.currentTarget.value) })}
          data={keysPerPageChoices.map((choice) => String(choice))}
          w={120}
        />
        <Checkbox
          label="Only keys with siblings"
          checked={filter.siblingsOnly}
          onChange={(event) => set({ siblingsOnly: event.currentTarget.checked })}
          mb={8}
        />
      </Group>

      {pages.isError && (
        <ReadFailure title="The keys cannot be listed" what="Listing the keys" error={pages.error} onRetry={() => void pages.refetch()} retrying={pages.isFetching} />
      )}
      {pages.isPending && (
        <Group gap="sm" my="sm">
          <Loader size="xs" />
          <Text size="sm">Listing the keys…</Text>
        </Group>
      )}

      {keys.length > 0 && (
        <Table.ScrollContainer minWidth={520}>
          <Table aria-label="Keys" tabularNums highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Key</Table.Th>
                {showBucket && <Table.Th scope="col">Bucket</Table.Th>}
                <Table.Th scope="col">Versions</Table.Th>
                <Table.Th scope="col">Last modified</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((entry) => (
                <Table.Tr key={`${entry.bucket}\u0000${entry.key}`}>
                  <Table.Th scope="row" fw={400} style={{ wordBreak: 'break-all' }}>
                    <Anchor href={keyHref(entry.bucket, entry.key)} ff="monospace" size="sm">
                      {entry.key}
                    </Anchor>
                  </Table.Th>
                  {showBucket && (
                    <Table.Td style={{ wordBreak: 'break-all' }}>
                      <Text span size="sm" ff="monospace">
                        {entry.bucket}
                      </Text>
                    </Table.Td>
                  )}
                  <Table.Td>
                    {entry.siblings > 1 ? (
                      <Badge color="orange">{formatCount(entry.siblings)} siblings</Badge>
                    ) : (
                      <Text span size="sm">
                        {entry.siblings === 1 ? '1' : formatCount(entry.siblings)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {entry.lastModified === undefined ? '—' : formatDateTime(entry.lastModified)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      {pages.isSuccess && (
        <Group justify="space-between" mt="sm" wrap="nowrap">
          <Text size="sm" c="dimmed" role="status" aria-live="polite">
            {listingProgress(keys.length, last)}
          </Text>
          {pages.hasNextPage && (
            <Button variant="light" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
              Load more
            </Button>
          )}
        </Group>
      )}
    </Paper>
  );
}
