// The coordinator's state machine beside its diagram: the states it entered and the events it
// received (XState's inspection, as the node recorded it), in order, each with its time, as a
// compact vertical timeline (a state is a large dot and its name, an event a small dot and one
// line). A forwarding node runs no machine for the put: it says so.

import { Box, Text } from '@mantine/core';
import { useMemo } from 'react';
import type { TraceView } from '../../../core/admin/admin-api.js';
import { formatMs, type TimelineEntry, timeline } from './trace-text.js';

const rail = { width: 2, left: 6 };

export function StateTimeline({ trace }: { trace: TraceView }) {
  const entries = useMemo(() => timeline(trace), [trace]);
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {trace.forwardedTo !== null
          ? `${trace.node} ran no state machine for this put: it forwarded the put to ${trace.forwardedTo}, whose machine is shown with its trace.`
          : 'The node recorded no state or event of this request.'}
      </Text>
    );
  }
  return (
    <Box component="ol" m={0} p={0} style={{ listStyle: 'none', position: 'relative' }}>
      <Box
        aria-hidden="true"
        style={{ position: 'absolute', left: rail.left, top: 8, bottom: 8, width: rail.width, background: 'var(--mantine-color-default-border)' }}
      />
      {entries.map((entry, i) => (
        <Entry key={i} entry={entry} />
      ))}
    </Box>
  );
}

function Entry({ entry }: { entry: TimelineEntry }) {
  const state = entry.kind === 'state';
  const dot = state ? 14 : 8;
  return (
    <Box component="li" pos="relative" pl={24} pb={state ? 8 : 4} pt={state ? 2 : 0}>
      <Box
        aria-hidden="true"
        style={{
          position: 'absolute',
          left: rail.left + rail.width / 2 - dot / 2,
          top: state ? 5 : 5,
          width: dot,
          height: dot,
          borderRadius: dot,
          background: state ? 'var(--mantine-color-blue-filled)' : 'var(--mantine-color-body)',
          border: state ? 'none' : '2px solid var(--mantine-color-gray-6)',
        }}
      />
      {state ? (
        <>
          <Text size="sm" fw={700} ff="monospace" lh={1.4}>
            {entry.name}{' '}
            <Text span size="xs" c="dimmed" fw={400} ff="var(--mantine-font-family)">
              {formatMs(entry.atMs)}
            </Text>
          </Text>
          <Text size="xs" c="dimmed" lh={1.3}>
            {entry.text}
          </Text>
        </>
      ) : (
        <Text size="xs" lh={1.5}>
          <Text span ff="monospace" size="xs" fw={600}>
            {entry.name}
          </Text>{' '}
          {entry.text}{' '}
          <Text span size="xs" c="dimmed">
            {formatMs(entry.atMs)}
          </Text>
        </Text>
      )}
    </Box>
  );
}
