// One member's buttons: Kill, Restart, Leave, Isolate (Heal while isolated). Each is named with
// its member ("Kill n3"). An action that cannot run now is disabled, with the reason in its
// tooltip (and, for process actions on an attached cluster, above the table).

import { Button, Group, Tooltip } from '@mantine/core';
import type { Capabilities, MemberView } from '../../../core/admin/admin-api.js';
import type { NodeAction } from '../../lib/action-cost.js';
import { stateWord } from '../../lib/member-state.js';
import type { MemberAction } from './use-node-actions.js';

interface Props {
  member: MemberView;
  capabilities: Capabilities;
  /** The action in flight on this member, if any. */
  pending: MemberAction | undefined;
  /** Destructive actions go through the confirmation first. */
  onConfirm: (action: NodeAction) => void;
  onRun: (action: MemberAction) => void;
  /** Id of the text that explains unavailable process actions. */
  reasonId: string | undefined;
}

interface ButtonSpec {
  verb: string;
  colour: string;
  /** Why it is disabled; undefined when it can run. */
  blocked: string | undefined;
  busy: boolean;
  onClick: () => void;
}

export function MemberActions({ member, capabilities, pending, onConfirm, onRun, reasonId }: Props) {
  const id = member.id;
  const word = stateWord(member);
  const running = member.process === undefined ? word !== 'down' : member.process.state === 'up';
  const noProcess = capabilities.processActions ? undefined : (capabilities.processActionsReason ?? 'Process actions need a cluster this console runs.');
  const noFaults = capabilities.faults ? undefined : 'Fault injection is off on these nodes.';
  const busy = pending !== undefined;
  const isolated = word === 'isolated';

  const buttons: ButtonSpec[] = [
    {
      verb: 'Kill',
      colour: 'red',
      blocked: noProcess ?? (running ? undefined : `${id} is not running.`),
      busy: pending?.kind === 'kill',
      onClick: () => onConfirm({ kind: 'kill', node: id }),
    },
    {
      verb: 'Restart',
      colour: 'blue',
      blocked: noProcess,
      busy: pending?.kind === 'restart',
      // Restarting a running node takes it down for a while: confirm that; starting a dead one is harmless.
      onClick: () => (running ? onConfirm({ kind: 'restart', node: id }) : onRun({ kind: 'restart', node: id })),
    },
    {
      verb: 'Leave',
      colour: 'orange',
      blocked: word === 'leaving' ? `${id} is already leaving.` : word === 'down' ? `${id} is down: it cannot hand its partitions off.` : undefined,
      busy: pending?.kind === 'leave',
      onClick: () => onConfirm({ kind: 'leave', node: id }),
    },
    isolated
      ? { verb: 'Heal', colour: 'green', blocked: noFaults, busy: pending?.kind === 'heal', onClick: () => onRun({ kind: 'heal', node: id }) }
      : {
          verb: 'Isolate',
          colour: 'grape',
          blocked: noFaults ?? (word === 'down' ? `${id} is down.` : undefined),
          busy: pending?.kind === 'isolate',
          onClick: () => onConfirm({ kind: 'isolate', node: id, from: [] }),
        },
  ];

  return (
    <Group gap={4} wrap="nowrap">
      {buttons.map((spec) => {
        const button = (
          <Button
            key={spec.verb}
            variant="light"
            size="compact-sm"
            color={spec.colour}
            aria-label={`${spec.verb} ${id}`}
            disabled={spec.blocked !== undefined || (busy && !spec.busy)}
            loading={spec.busy}
            aria-describedby={spec.blocked === noProcess && noProcess !== undefined ? reasonId : undefined}
            onClick={spec.onClick}
          >
            {spec.verb}
          </Button>
        );
        if (spec.blocked === undefined) return button;
        return (
          <Tooltip key={spec.verb} label={spec.blocked}>
            <span>{button}</span>
          </Tooltip>
        );
      })}
    </Group>
  );
}
