// Shows what failed and why, one alert per failure, until dismissed.

import { Alert, Stack } from '@mantine/core';
import type { ShownFailure } from './use-failures.js';

export function FailureAlerts({ failures, onDismiss }: { failures: ShownFailure[]; onDismiss: (id: number) => void }) {
  if (failures.length === 0) return null;
  return (
    <Stack gap="xs">
      {failures.map((failure) => (
        <Alert
          key={failure.id}
          color="red"
          variant="light"
          title="Action failed"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => onDismiss(failure.id)}
        >
          {failure.sentence}
        </Alert>
      ))}
    </Stack>
  );
}
