// TO BE WRITTEN.
import { Title } from '@mantine/core';

export function HandoffPage() {
  return <Title order={1} size="h2">Handoff</Title>;
}
