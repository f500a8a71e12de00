// The buckets, each with how many keys it holds and how many of them have siblings, as the
// nodes count them while they write. Choosing a bucket filters the key browser to it.

import { Badge, Button, Group, Loader, Paper, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { ReadFailure } from '../../components/ReadFailure.js';
import { formatCount } from '../../lib/format.js';
import { useBuckets } from './use-keys.js';

interface Props {
  selected: string;
  onSelect: (bucket: string) => void;
}

export function BucketTable({ selected, onSelect }: Props) {
  const buckets = useBuckets();
  const rows = [...(buckets.data ?? [])].sort((a, b) => a.bucket.localeCompare(b.bucket));
  return (
    <Paper component="section" aria-labelledby="buckets-title">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={2} size="h4" id="buckets-title">
          Buckets
        </Title>
        {selected !== '' && (
          <Button variant="subtle" size="compact-xs" onClick={() => onSelect('')}>
            All buckets
          </Button>
        )}
      </Group>
      {buckets.isError && (
        <ReadFailure
          title="The buckets cannot be read"
          what="Listing the buckets"
          error={buckets.error}
          onRetry={() => void buckets.refetch()}
          retrying={buckets.isFetching}
        />
      )}
      {buckets.isPending && (
        <Group gap="sm">
          <Loader size="xs" />
          <Text size="sm">Reading the buckets…</Text>
        </Group>
      )}
      {buckets.isSuccess && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No buckets yet. Write a value to make one.
        </Text>
      )}
      {rows.length > 0 && (
        <Table aria-label="Buckets" tabularNums highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Bucket</Table.Th>
              <Table.Th scope="col" ta="right">
                Keys
              </Table.Th>
              <Table.Th scope="col" ta="right">
                With siblings
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const active = row.bucket === selected;
              return (
                <Table.Tr key={row.bucket} bg={active ? 'var(--mantine-color-default-hover)' : undefined}>
                  <Table.Th scope="row" fw={400}>
                    <UnstyledButton
                      onClick={() => onSelect(active ? '' : row.bucket)}
                      aria-pressed={active}
                      aria-label={`Bucket ${row.bucket}: ${active ? 'shown; choose again to show every bucket' : 'show its keys'}`}
                      style={{ wordBreak: 'break-all' }}
                    >
                      <Text span size="sm" ff="monospace" fw={active ? 700 : 500} c="var(--mantine-color-anchor)" td={active ? 'none' : 'underline'}>
                        {active ? `▸ ${row.bucket}` : row.bucket}
                      </Text>
                    </UnstyledButton>
                  </Table.Th>
                  <Table.Td ta="right">{formatCount(row.keys)}</Table.Td>
                  <Table.Td ta="right">
                    {row.keysWithSiblings > 0 ? (
                      <Badge color="orange">{formatCount(row.keysWithSiblings)}</Badge>
                    ) : (
                      <Text span size="sm" c="dimmed">
                        0
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
