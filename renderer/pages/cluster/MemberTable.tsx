// The members, one row each: id and state word (coloured, never colour alone), addresses, pid,
// partitions owned, weight, hints other nodes hold for it, transfers in and out, uptime, and
// its actions. Rows follow the cluster view, which the live events refetch within a second.

import { Badge, Group, Table, Text } from '@mantine/core';
import type { ClusterView, MemberView } from '../../../core/admin/admin-api.js';
import type { NodeAction } from '../../lib/action-cost.js';
import { compareNodeIds, formatCount, formatDuration } from '../../lib/format.js';
import { processNote, stateColours, stateWord } from '../../lib/member-state.js';
import { useNow } from '../../app/use-now.js';
import { MemberActions } from './MemberActions.js';
import type { MemberAction } from './use-node-actions.js';

interface Props {
  view: ClusterView;
  pending: MemberAction | undefined;
  onConfirm: (action: NodeAction) => void;
  onRun: (action: MemberAction) => void;
  reasonId: string | undefined;
}

export function MemberTable({ view, pending, onConfirm, onRun, reasonId }: Props) {
  const now = useNow();
  const members = [...view.members].sort((a, b) => compareNodeIds(a.id, b.id));
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table aria-label="Members" tabularNums>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Member</Table.Th>
            <Table.Th scope="col">Addresses</Table.Th>
            <Table.Th scope="col">PID</Table.Th>
            <Table.Th scope="col">Uptime</Table.Th>
            <Table.Th scope="col" ta="right">
              Partitions
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Weight
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Hints for it
            </Table.Th>
            <Table.Th scope="col">Transfers</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map((member) => (
            <MemberRow
              key={member.id}
              member={member}
              view={view}
              now={now}
              pending={pending?.node === member.id ? pending : undefined}
              onConfirm={onConfirm}
              onRun={onRun}
              reasonId={reasonId}
            />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

interface RowProps extends Omit<Props, 'view' | 'pending'> {
  member: MemberView;
  view: ClusterView;
  now: number;
  pending: MemberAction | undefined;
}

function MemberRow({ member, view, now, pending, onConfirm, onRun, reasonId }: RowProps) {
  const word = stateWord(member);
  const note = processNote(member);
  const process = member.process;
  const uptime = process?.state === 'up' && process.startedAt !== undefined ? formatDuration(now - process.startedAt) : '—';
  return (
    <Table.Tr>
      <Table.Th scope="row">
        <Group gap="xs" wrap="nowrap">
          <Text fw={600} ff="monospace">
            {member.id}
          </Text>
          <Badge color={stateColours[word]}>{word}</Badge>
        </Group>
        {word === 'isolated' && (
          <Text size="xs" c="dimmed" fw={400} style={{ whiteSpace: 'normal', maxWidth: 150 }}>
            cut off from {member.isolatedFrom.join(', ')}
          </Text>
        )}
        {note !== undefined && (
          <Text size="xs" c="dimmed" fw={400} style={{ whiteSpace: 'normal', maxWidth: 150 }}>
            {note}
          </Text>
        )}
      </Table.Th>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {member.http}
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          peer {peerShown(member)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {process?.pid ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{uptime}</Text>
        {process !== undefined && process.restarts > 0 && (
          <Text size="xs" c="dimmed">
            {process.restarts} {process.restarts === 1 ? 'restart' : 'restarts'}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">{formatCount(member.partitionsOwned)}</Table.Td>
      <Table.Td ta="right">{member.weight}</Table.Td>
      <Table.Td ta="right">{formatCount(member.hintsHeldFor)}</Table.Td>
      <Table.Td>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatCount(member.transfersIn)} in, {formatCount(member.transfersOut)} out
        </Text>
      </Table.Td>
      <Table.Td>
        <MemberActions member={member} capabilities={view.capabilities} pending={pending} onConfirm={onConfirm} onRun={onRun} reasonId={reasonId} />
      </Table.Td>
    </Table.Tr>
  );
}

/** The peer address, without the host when it is the HTTP address's host too (":7003"). */
function peerShown(member: MemberView): string {
  const host = (address: string) => address.slice(0, address.lastIndexOf(':'));
  return host(member.peer) === host(member.http) ? member.peer.slice(member.peer.lastIndexOf(':')) : member.peer;
}
