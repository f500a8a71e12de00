// The header's word on the live event stream: live, connecting, or lost (with why). While it is
// lost the page may be stale, and the operator should know.

import { Badge, Tooltip } from '@mantine/core';
import { useLiveEvents } from '../api/AdminApiProvider.js';

const looks = {
  live: { colour: 'green', word: 'Live' },
  connecting: { colour: 'gray', word: 'Connecting…' },
  lost: { colour: 'red', word: 'Events lost' },
} as const;

export function LiveStatus() {
  const { stream, streamMessage } = useLiveEvents();
  const look = looks[stream];
  const detail = stream === 'live' ? 'The page follows the cluster’s live events.' : (streamMessage ?? 'Waiting for the event stream.');
  return (
    <Tooltip label={detail}>
      <Badge color={look.colour} variant="dot" size="lg" role="status" aria-label={`Event stream: ${look.word}. ${detail}`} tabIndex={0}>
        {look.word}
      </Badge>
    </Tooltip>
  );
}
