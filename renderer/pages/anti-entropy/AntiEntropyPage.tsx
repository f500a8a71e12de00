// TO BE WRITTEN.
import { Title } from '@mantine/core';

export function AntiEntropyPage() {
  return <Title order={1} size="h2">AntiEntropy</Title>;
}
