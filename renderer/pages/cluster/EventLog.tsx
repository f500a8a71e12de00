// What happened, newest first: member state changes, faults, transfers, hints, process events,
// each a sentence with its time. The one live subscription fills it (api/live-events.ts).

import { Box, Group, Paper, ScrollArea, Text, Title } from '@mantine/core';
import { useLiveEvents } from '../../api/AdminApiProvider.js';
import { entrySentence, type LogTone } from '../../lib/event-log.js';
import { formatClockTime } from '../../lib/format.js';

const toneColours: Record<LogTone, string> = { info: 'gray', good: 'green', warning: 'orange', bad: 'red' };

export function EventLog() {
  const { log } = useLiveEvents();
  return (
    <Paper component="section" aria-labelledby="event-log-title" h="100%">
      <Title order={2} size="h4" id="event-log-title" mb="sm">
        Events
      </Title>
      {log.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing has happened since this page opened. Changes to the cluster appear here as they happen.
        </Text>
      ) : (
        <ScrollArea h={300} type="auto" offsetScrollbars viewportProps={{ tabIndex: 0 }}>
          <Box component="ol" aria-label="Event log" m={0} p={0} style={{ listStyle: 'none' }}>
            {log.map((entry) => (
              <Box component="li" key={entry.id} py={3}>
                <Group gap="xs" wrap="nowrap" align="baseline">
                  <Text size="xs" c="dimmed" ff="monospace" style={{ flex: 'none' }}>
                    <time dateTime={new Date(entry.at).toISOString()}>{formatClockTime(entry.at)}</time>
                  </Text>
                  <Box w={8} h={8} bg={`${toneColours[entry.tone]}.6`} style={{ flex: 'none', borderRadius: '50%' }} aria-hidden="true" />
                  <Text size="sm">{entrySentence(entry)}</Text>
                </Group>
              </Box>
            ))}
          </Box>
        </ScrollArea>
      )}
    </Paper>
  );
}
