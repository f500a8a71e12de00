// TO BE WRITTEN.
import { Title } from '@mantine/core';

export function MetricsPage() {
  return <Title order={1} size="h2">Metrics</Title>;
}
