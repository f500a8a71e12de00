// The Cluster page: the cluster at a glance (figures, members, ring, events), the member actions
// with their confirmations, and Add node with its plan and progress. Components draw; the
// sentences and geometry come from renderer/lib.

import { Alert, Button, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useId, useState } from 'react';
import type { ClusterView } from '../../../core/admin/admin-api.js';
import { FailureAlerts } from '../../components/FailureAlerts.js';
import { useFailures } from '../../components/use-failures.js';
import type { NodeAction } from '../../lib/action-cost.js';
import { failureSentence } from '../../lib/failure.js';
import { plural } from '../../lib/format.js';
import { stateWord } from '../../lib/member-state.js';
import { ConfirmActionModal } from './ConfirmActionModal.js';
import { EventLog } from './EventLog.js';
import { JoinPlanPanel } from './JoinPlanPanel.js';
import { MemberTable } from './MemberTable.js';
import { RingView } from './RingView.js';
import { useClusterView } from './use-cluster-view.js';
import { useJoinPlan } from './use-join-plan.js';
import { useNodeActions } from './use-node-actions.js';

export function ClusterPage() {
  const cluster = useClusterView();
  const { failures, report, dismiss } = useFailures();
  const actions = useNodeActions(report);
  const view = cluster.data;
  const join = useJoinPlan(view, report);
  const [confirming, setConfirming] = useState<NodeAction | undefined>(undefined);
  const reasonId = useId();

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <div>
          <Title order={1} size="h2">
            Cluster
          </Title>
          {view !== undefined && <Text c="dimmed" size="sm">{clusterFigures(view)}</Text>}
        </div>
        <Button
          size="sm"
          onClick={join.start}
          loading={join.phase === 'planning'}
          disabled={view === undefined || !view.capabilities.processActions || join.phase !== 'idle'}
          aria-describedby={view !== undefined && !view.capabilities.processActions ? reasonId : undefined}
        >
          Add node
        </Button>
      </Group>

      <FailureAlerts failures={failures} onDismiss={dismiss} />

      {cluster.isError && (
        <Alert color="red" title="The cluster cannot be read" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{failureSentence('Reading the cluster', cluster.error)}</Text>
            <Button size="xs" variant="light" color="red" onClick={() => void cluster.refetch()} loading={cluster.isFetching}>
              Try again
            </Button>
          </Stack>
        </Alert>
      )}

      {view === undefined ? (
        cluster.isPending && (
          <Group gap="sm">
            <Loader size="sm" />
            <Text>Reading the cluster…</Text>
          </Group>
        )
      ) : (
        <>
          {!view.capabilities.processActions && (
            <Alert color="gray" variant="light" title="Kill, Restart and Add node are unavailable" id={reasonId}>
              {view.capabilities.processActionsReason ?? 'This console does not run the cluster’s processes.'}
            </Alert>
          )}
          {join.plan !== undefined && (
            <JoinPlanPanel plan={join.plan} phase={join.phase} view={view} onCommit={join.commit} onCancel={join.cancel} onDismiss={join.dismiss} />
          )}
          <MemberTable view={view} pending={actions.pending} onConfirm={setConfirming} onRun={actions.run} reasonId={reasonId} />
          <Grid gap="md" align="stretch">
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <RingView view={view} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <EventLog />
            </Grid.Col>
          </Grid>
          <ConfirmActionModal
            action={confirming}
            view={view}
            onClose={() => setConfirming(undefined)}
            onConfirm={(action) => {
              setConfirming(undefined);
              actions.run(action);
            }}
          />
        </>
      )}
    </Stack>
  );
}

/** "5 members, 5 up · N=3 R=2 W=2 · 64 partitions · read from n1 (local cluster)". */
function clusterFigures(view: ClusterView): string {
  const up = view.members.filter((m) => stateWord(m) === 'up').length;
  const parts = [
    `${plural(view.members.length, 'member')}, ${up} up`,
    `N=${view.n} R=${view.r} W=${view.w}`,
    view.ring === undefined ? 'no ring yet' : plural(view.ring.ringSize, 'partition'),
    `${plural(view.hints.pending, 'hint')} pending`,
    `${plural(view.transfers.pending, 'transfer')} pending`,
    `read from ${view.source} (${view.mode === 'local' ? 'local cluster' : 'attached'})`,
  ];
  return parts.join(' · ');
}
