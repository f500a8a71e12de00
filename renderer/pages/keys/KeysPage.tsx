// The Keys page: at `#/keys` the buckets and the key browser; at `#/keys/<bucket>/<key>` one key
// (its value, placement, every replica's copy and its history). The address says which
// (renderer/lib/key-routes.ts), so a key can be linked to and Back returns to the browser.

import { Alert, Anchor, Stack, Title } from '@mantine/core';
import { useHash } from '../../app/use-hash-route.js';
import { browserHref, parseKeysRoute } from '../../lib/key-routes.js';
import { KeyBrowserPage } from './KeyBrowserPage.js';
import { KeyDetailPage } from './KeyDetailPage.js';

export function KeysPage() {
  const route = parseKeysRoute(useHash());
  if (route.view === 'key') return <KeyDetailPage key={`${route.bucket}\u0000${route.key}`} bucket={route.bucket} keyName={route.key} />;
  if (route.view === 'browser') return <KeyBrowserPage initial={route.filter} />;
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Keys
      </Title>
      <Alert color="red" title="This address names no key" role="alert">
        {route.reason}. <Anchor href={browserHref()}>Browse the keys</Anchor>
      </Alert>
    </Stack>
  );
}
