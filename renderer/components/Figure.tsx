// One figure of a summary strip: a small label over a large number, highlighted when it calls for
// attention (the highlight is never the only signal: the number says it).

import { Paper, Text } from '@mantine/core';

export function Figure({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <Paper p="sm" bg={strong ? 'var(--mantine-color-orange-light)' : undefined}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </Paper>
  );
}
