// TO BE WRITTEN.
import { Title } from '@mantine/core';

export function TracesPage() {
  return <Title order={1} size="h2">Traces</Title>;
}
