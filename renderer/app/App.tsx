// The application shell: a header (product, event stream state, theme), the navigation (one
// link per page that exists) and the current page.

import { AppShell, Group, NavLink, Text, Title } from '@mantine/core';
import { useShell } from '../api/AdminApiProvider.js';
import { LiveStatus } from './LiveStatus.js';
import { pages } from './pages.js';
import { shellSizes } from './theme.js';
import { ThemeToggle } from './ThemeToggle.js';
import { useHashRoute } from './use-hash-route.js';

export function App() {
  const route = useHashRoute();
  const shell = useShell();
  const page = pages.find((entry) => entry.path === route) ?? pages[0];
  const Page = page.component;
  return (
    <AppShell header={{ height: shellSizes.header }} navbar={{ width: shellSizes.navbar, breakpoint: 'xs', collapsed: { mobile: true } }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={1} size="h4">
              dynamo-desk
            </Title>
            <Text size="sm" c="dimmed">
              {shell === 'desktop' ? 'desktop console' : 'web console'}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LiveStatus />
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        {pages.map((entry) => (
          <NavLink
            key={entry.path}
            href={`#/${entry.path}`}
            label={entry.label}
            active={entry === page}
            aria-current={entry === page ? 'page' : undefined}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Page />
      </AppShell.Main>
    </AppShell>
  );
}
