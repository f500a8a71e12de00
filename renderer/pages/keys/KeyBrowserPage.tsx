// The key browser: the buckets with their counts beside a filter (Bucket, Prefix, "Only keys
// with siblings", keys per page) and the keys it finds, page by page, saying how far the
// listing has got. The filter lives in the address (replaced in place as it is typed), so Back
// from a key returns to the same list. A button opens the form that writes a value.

import { Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { replaceHash } from '../../app/use-hash-route.js';
import { browserHref, type KeyFilter } from '../../lib/key-routes.js';
import { BucketTable } from './BucketTable.js';
import { KeyList } from './KeyList.js';
import { WriteKeyModal, type WriteDraft } from './WriteKeyModal.js';

/** Typing waits this long before the listing is asked again. */
const typingSettleMs = 300;

export function KeyBrowserPage({ initial }: { initial: KeyFilter }) {
  const [filter, setFilter] = useState(initial);
  const [settled] = useDebouncedValue(filter, typingSettleMs);
  const [draft, setDraft] = useState<WriteDraft | undefined>(undefined);

  useEffect(() => replaceHash(browserHref(settled)), [settled]);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={1} size="h2">
            Keys
          </Title>
          <Text c="dimmed" size="sm">
            Every key across the cluster, each once. Open one to see its value, where it lives and each replica’s own copy.
          </Text>
        </div>
        <Button size="sm" onClick={() => setDraft({ bucket: filter.bucket, key: filter.prefix, value: '', contentType: 'text/plain' })}>
          Write a value
        </Button>
      </Group>
      <Grid gap="md" align="flex-start">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <BucketTable selected={filter.bucket} onSelect={(bucket) => setFilter((current) => ({ ...current, bucket }))} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <KeyList filter={filter} settled={settled} onChange={setFilter} />
        </Grid.Col>
      </Grid>
      <WriteKeyModal draft={draft} onClose={() => setDraft(undefined)} />
    </Stack>
  );
}
