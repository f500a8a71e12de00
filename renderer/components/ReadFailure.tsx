// A read that failed, said where its content would be: what could not be read, why (the
// AdminFailure's sentence and code), and Try again.

import { Alert, Button, Text } from '@mantine/core';
import { failureSentence } from '../lib/failure.js';

interface Props {
  /** The alert's title: "The keys cannot be listed". */
  title: string;
  /** What was being done, for the sentence: "Listing the keys" → "Listing the keys failed: …". */
  what: string;
  error: unknown;
  onRetry: () => void;
  retrying: boolean;
}

export function ReadFailure({ title, what, error, onRetry, retrying }: Props) {
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      <Text size="sm">{failureSentence(what, error)}</Text>
      <Button mt="xs" size="xs" variant="light" color="red" onClick={onRetry} loading={retrying}>
        Try again
      </Button>
    </Alert>
  );
}
