// The Anti-entropy page: choose what to compare and run it (the whole cluster, one node, one
// partition), watch it go exchange by exchange, then read its report: what was compared, what
// differed, and every key repaired with the side that was behind. Below, the runs every member
// remembers, manual and background; any of them opens its report.

import { Alert, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { AntiEntropyRunView, AntiEntropyTarget } from '../../../core/admin/admin-api.js';
import { ReadFailure } from '../../components/ReadFailure.js';
import { failureSentence } from '../../lib/failure.js';
import { formatClockTime } from '../../lib/format.js';
import { useClusterView } from '../cluster/use-cluster-view.js';
import { RunForm } from './RunForm.js';
import { RunHistory } from './RunHistory.js';
import { RunProgressPanel } from './RunProgressPanel.js';
import { RunReport } from './RunReport.js';
import { planRunView, targetTitle } from './run-report.js';
import { useAntiEntropyRuns, useRunAntiEntropy } from './use-anti-entropy.js';

/** The report on screen: the run just made from this page, or a run chosen from the history. */
type Shown = { kind: 'run'; target: AntiEntropyTarget; runs: AntiEntropyRunView[] } | { kind: 'history'; node: string; runId: string };

export function AntiEntropyPage() {
  const cluster = useClusterView();
  const history = useAntiEntropyRuns();
  const { mutation, progress } = useRunAntiEntropy();
  const [shown, setShown] = useState<Shown | undefined>(undefined);
  const view = cluster.data;

  const run = (target: AntiEntropyTarget) => {
    setShown(undefined);
    mutation.mutate(target, { onSuccess: (runs) => setShown({ kind: 'run', target, runs }) });
  };
  const chosen =
    shown?.kind === 'history' ? history.data?.runs.find((candidate) => candidate.runId === shown.runId && candidate.node === shown.node) : undefined;
  const running = mutation.isPending ? mutation.variables : undefined;

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          Anti-entropy
        </Title>
        <Text c="dimmed" size="sm">
          Replicas compare Merkle trees of each partition and copy across the keys one of them lacks. Every node runs one exchange in the
          background every few seconds; run them now to repair at once.
        </Text>
      </div>

      {cluster.isError && (
        <ReadFailure
          title="The cluster cannot be read"
          what="Reading the cluster"
          error={cluster.error}
          onRetry={() => void cluster.refetch()}
          retrying={cluster.isFetching}
        />
      )}
      {cluster.isPending && (
        <Group gap="sm">
          <Loader size="sm" />
          <Text>Reading the cluster…</Text>
        </Group>
      )}
      {view !== undefined && <RunForm view={view} running={mutation.isPending} onRun={run} />}

      {mutation.isError && (
        <Alert color="red" variant="light" title="Anti-entropy did not run" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => mutation.reset()}>
          {failureSentence(`Running anti-entropy (${targetTitle(mutation.variables ?? {}, [])})`, mutation.error)}
        </Alert>
      )}
      {running !== undefined && view !== undefined && (
        <RunProgressPanel title={targetTitle(running, [])} plan={planRunView(running, view)} progress={progress} view={view} />
      )}
      {shown?.kind === 'run' && (
        <RunReport
          title={`${targetTitle(shown.target, shown.runs)} at ${formatClockTime(Math.max(...shown.runs.map((run) => run.finishedAt)))}`}
          runs={shown.runs}
          ringSize={view?.ring?.ringSize ?? 0}
        />
      )}
      {shown?.kind === 'history' &&
        (chosen === undefined ? (
          <Alert color="gray" variant="light" title="That run is no longer listed">
            Its node keeps only its last 50 runs.
          </Alert>
        ) : (
          <RunReport
            title={`${chosen.node}'s ${chosen.trigger} run at ${formatClockTime(chosen.startedAt)}`}
            runs={[chosen]}
            ringSize={view?.ring?.ringSize ?? 0}
          />
        ))}

      <RunHistory
        selected={shown?.kind === 'history' ? shown.runId : undefined}
        onSelect={(selected) => setShown({ kind: 'history', node: selected.node, runId: selected.runId })}
      />
    </Stack>
  );
}
