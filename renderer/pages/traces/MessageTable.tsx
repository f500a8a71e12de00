// The diagram's messages as a table, one row per replica message (CONTRACT.md: "a trace shows
// one entry per replica message"), numbered as the diagram's labels are: to which node, what it
// was to the request, the kind, when it was sent and answered, what came back and whether that
// reply made the quorum. What the picture shows, readable without it.

import { Badge, Table, Text } from '@mantine/core';
import type { TraceMessage, TraceView } from '../../../core/admin/admin-api.js';
import { failed, formatMs, quorumName, replyText, roleText } from './trace-text.js';

const kindWords: Record<TraceMessage['kind'], string> = { read: 'read', write: 'write', forward: 'forward', repair: 'read repair' };

export function MessageTable({ trace }: { trace: TraceView }) {
  const quorum = quorumName(trace) ?? 'quorum';
  if (trace.messages.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The request sent no message to a replica.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table aria-label="Replica messages" tabularNums>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">#</Table.Th>
            <Table.Th scope="col">Node</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Kind</Table.Th>
            <Table.Th scope="col">Sent</Table.Th>
            <Table.Th scope="col">Answered</Table.Th>
            <Table.Th scope="col">Reply</Table.Th>
            <Table.Th scope="col">{quorum}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {trace.messages.map((message, i) => (
            <Table.Tr key={i}>
              <Table.Th scope="row" fw={400}>
                {i + 1}
              </Table.Th>
              <Table.Td>
                <Text span size="sm" ff="monospace" fw={600}>
                  {message.node}
                </Text>
              </Table.Td>
              <Table.Td>
                {message.role === 'fallback' ? (
                  <Badge color="orange">{roleText(message)}</Badge>
                ) : (
                  <Text span size="sm">
                    {roleText(message)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text span size="sm">
                  {kindWords[message.kind]}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {formatMs(message.sentAtMs)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text span size="sm" style={{ whiteSpace: 'nowrap' }} c={message.answeredAtMs === null ? 'dimmed' : undefined}>
                  {message.answeredAtMs === null ? 'not yet' : formatMs(message.answeredAtMs)}
                </Text>
              </Table.Td>
              <Table.Td>
                <ReplyCell message={message} />
              </Table.Td>
              <Table.Td>
                {message.quorum ? (
                  <Badge color="blue" variant="filled">
                    quorum
                  </Badge>
                ) : (
                  <Text span size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ReplyCell({ message }: { message: TraceMessage }) {
  const text = replyText(message.reply);
  if (failed(message)) {
    const detail = message.reply?.kind === 'error' ? message.reply.message : undefined;
    return (
      <>
        <Badge color="red">{text}</Badge>
        {detail !== undefined && (
          <Text size="xs" c="dimmed" mt={2}>
            {detail}
          </Text>
        )}
      </>
    );
  }
  return (
    <Text span size="sm" c={message.reply === null ? 'dimmed' : undefined} style={{ wordBreak: 'break-word' }}>
      {text}
    </Text>
  );
}
