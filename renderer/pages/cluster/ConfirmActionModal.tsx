// The confirmation of a destructive member action: what it does and what it costs, in sentences
// computed from the ring and the members' states (lib/action-cost.ts). Isolate also asks from
// whom: every other member, or a chosen group. Cancel has the focus, so Enter by habit does no
// harm; Escape closes.

import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { ClusterView } from '../../../core/admin/admin-api.js';
import { actionCost, type NodeAction } from '../../lib/action-cost.js';
import { compareNodeIds } from '../../lib/format.js';

const confirmColours: Record<NodeAction['kind'], string> = { kill: 'red', leave: 'red', restart: 'blue', isolate: 'grape' };

interface Props {
  action: NodeAction | undefined;
  view: ClusterView;
  onConfirm: (action: NodeAction) => void;
  onClose: () => void;
}

export function ConfirmActionModal({ action, view, onConfirm, onClose }: Props) {
  return (
    <Modal opened={action !== undefined} onClose={onClose} title={action === undefined ? '' : actionCost(action, view).title}>
      {action !== undefined && (
        <ConfirmBody key={`${action.kind}:${action.node}`} action={action} view={view} onConfirm={onConfirm} onClose={onClose} />
      )}
    </Modal>
  );
}

function ConfirmBody({ action, view, onConfirm, onClose }: Props & { action: NodeAction }) {
  const others = view.members
    .map((member) => member.id)
    .filter((id) => id !== action.node)
    .sort(compareNodeIds);
  const [from, setFrom] = useState<string[]>(others);
  const chosen: NodeAction = action.kind === 'isolate' ? { ...action, from: from.length === others.length ? [] : from } : action;
  const cost = actionCost(chosen, view);
  return (
    <Stack gap="md">
      {action.kind === 'isolate' && (
        <Checkbox.Group label="Cut off from" description="Every other member by default; untick those it should still reach." value={from} onChange={setFrom}>
          <Group gap="md" mt={6}>
            {others.map((id) => (
              <Checkbox key={id} value={id} label={id} />
            ))}
          </Group>
        </Checkbox.Group>
      )}
      <Stack gap={6}>
        {cost.sentences.map((sentence) => (
          <Text key={sentence} size="sm">
            {sentence}
          </Text>
        ))}
      </Stack>
      <Group justify="flex-end" gap="sm">
        <Button variant="default" size="sm" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button
          color={confirmColours[action.kind]}
          size="sm"
          disabled={action.kind === 'isolate' && from.length === 0}
          onClick={() => onConfirm(chosen)}
        >
          {cost.confirmLabel}
        </Button>
      </Group>
    </Stack>
  );
}
