// The difference between any two siblings, chosen by two selects: for JSON the paths added,
// removed and changed (or the lines of the pretty-printed values), for other text a line diff.
// Changes are marked by a sign and a word as well as a colour.

import { Badge, Group, NativeSelect, Paper, SegmentedControl, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { VersionView } from '../../../core/admin/admin-api.js';
import { type JsonChange, jsonDiff, type LineDiff, lineDiff } from '../../lib/diff.js';
import { formatCount, plural } from '../../lib/format.js';
import { formatPath, jsonPreview } from '../../lib/json-value.js';
import { displayText, type ValueText } from '../../lib/value-text.js';
import { formatDot } from '../../lib/key-text.js';

export interface ShownSibling {
  version: VersionView;
  value: ValueText;
}

/** Most diff lines drawn; a longer diff says how many it left out. */
const linesShownMax = 400;

const changeColours = { added: 'green', removed: 'red', changed: 'orange' } as const;

export function SiblingDiff({ siblings }: { siblings: ShownSibling[] }) {
  const [leftIndex, setLeftIndex] = useState(siblings[0]?.version.index ?? 1);
  const [rightIndex, setRightIndex] = useState(siblings[1]?.version.index ?? 1);
  const [mode, setMode] = useState<'fields' | 'lines'>('fields');
  const left = siblings.find((s) => s.version.index === leftIndex) ?? siblings[0];
  const right = siblings.find((s) => s.version.index === rightIndex) ?? siblings[siblings.length - 1];
  const options = siblings.map((s) => ({ value: String(s.version.index), label: `Sibling ${s.version.index} (${formatDot(s.version.dot)})` }));
  const bothJson = left.value.kind === 'text' && right.value.kind === 'text' && left.value.json !== undefined && right.value.json !== undefined;
  const shownMode = bothJson ? mode : 'lines';

  return (
    <Paper component="section" aria-labelledby="sibling-diff-title">
      <Group justify="space-between" align="flex-end" mb="sm" gap="sm">
        <Title order={2} size="h4" id="sibling-diff-title">
          Differences
        </Title>
        <Group gap="sm" align="flex-end">
          <NativeSelect label="Compare sibling" size="xs" data={options} value={String(left.version.index)} onChange={(e) => setLeftIndex(Number(e.currentTarget.value))} />
          <NativeSelect label="With sibling" size="xs" data={options} value={String(right.version.index)} onChange={(e) => setRightIndex(Number(e.currentTarget.value))} />
          {bothJson && (
            <SegmentedControl
              size="xs"
              aria-label="Compare by"
              value={mode}
              onChange={(value) => setMode(value === 'lines' ? 'lines' : 'fields')}
              data={[
                { value: 'fields', label: 'JSON paths' },
                { value: 'lines', label: 'Lines' },
              ]}
            />
          )}
        </Group>
      </Group>
      <DiffBody left={left} right={right} mode={shownMode} />
    </Paper>
  );
}

function DiffBody({ left, right, mode }: { left: ShownSibling; right: ShownSibling; mode: 'fields' | 'lines' }) {
  const leftName = `Sibling ${left.version.index}`;
  const rightName = `Sibling ${right.version.index}`;
  const leftText = displayText(left.value);
  const rightText = displayText(right.value);
  const changes = useMemo(
    () => (mode === 'fields' && left.value.kind === 'text' && right.value.kind === 'text' && left.value.json !== undefined && right.value.json !== undefined
      ? jsonDiff(left.value.json.value, right.value.json.value)
      : undefined),
    [left, right, mode],
  );
  const lines = useMemo(() => (mode === 'lines' && leftText !== undefined && rightText !== undefined ? lineDiff(leftText, rightText) : undefined), [leftText, rightText, mode]);
  if (left === right) return <Text size="sm">Both selects name {leftName}: choose two different siblings.</Text>;
  if (leftText === undefined || rightText === undefined) {
    return <Text size="sm">{leftText === undefined ? leftName : rightName} is not text, so there is nothing to compare line by line.</Text>;
  }
  if (changes !== undefined) return <FieldChanges changes={changes} leftName={leftName} rightName={rightName} />;
  if (lines !== undefined) return <LineChanges diff={lines} leftName={leftName} rightName={rightName} />;
  return null;
}

function FieldChanges({ changes, leftName, rightName }: { changes: JsonChange[]; leftName: string; rightName: string }) {
  if (changes.length === 0) return <Text size="sm">The two values are equal as JSON (only their formatting or key order may differ).</Text>;
  const count = (kind: JsonChange['kind']) => changes.filter((c) => c.kind === kind).length;
  return (
    <Stack gap="xs">
      <Text size="sm">
        From {leftName} to {rightName}: {plural(changes.length, 'path')} {changes.length === 1 ? 'differs' : 'differ'} ({count('added')} added, {count('removed')} removed,{' '}
        {count('changed')} changed).
      </Text>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label={`Paths that differ from ${leftName} to ${rightName}`} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Path</Table.Th>
              <Table.Th scope="col">Change</Table.Th>
              <Table.Th scope="col">In {leftName}</Table.Th>
              <Table.Th scope="col">In {rightName}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.map((change, i) => (
              <Table.Tr key={i}>
                <Table.Th scope="row" ff="monospace" fw={600}>
                  {formatPath(change.path)}
                </Table.Th>
                <Table.Td>
                  <Badge color={changeColours[change.kind]}>{change.kind}</Badge>
                </Table.Td>
                <Table.Td ff="monospace">{change.kind === 'added' ? '—' : jsonPreview(change.before)}</Table.Td>
                <Table.Td ff="monospace">{change.kind === 'removed' ? '—' : jsonPreview(change.after)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

const lineLooks = {
  same: { sign: ' ', word: 'unchanged', background: undefined },
  added: { sign: '+', word: 'added', background: 'var(--mantine-color-green-light)' },
  removed: { sign: '−', word: 'removed', background: 'var(--mantine-color-red-light)' },
} as const;

function LineChanges({ diff, leftName, rightName }: { diff: LineDiff; leftName: string; rightName: string }) {
  if (diff.added === 0 && diff.removed === 0) return <Text size="sm">The two values are the same text.</Text>;
  const shown = diff.lines.slice(0, linesShownMax);
  return (
    <Stack gap="xs">
      <Text size="sm">
        From {leftName} to {rightName}: {plural(diff.added, 'line')} added, {plural(diff.removed, 'line')} removed
        {diff.minimal ? '.' : ' (the values differ too much for the shortest diff; this one replaces whole runs).'}
      </Text>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label={`Line diff from ${leftName} to ${rightName}`} fz="xs" ff="monospace" verticalSpacing={1} highlightOnHover={false} withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w={48} ta="right">
                <VisuallyHidden>Line in </VisuallyHidden>
                {leftName.replace('Sibling ', 'S')}
              </Table.Th>
              <Table.Th scope="col" w={48} ta="right">
                <VisuallyHidden>Line in </VisuallyHidden>
                {rightName.replace('Sibling ', 'S')}
              </Table.Th>
              <Table.Th scope="col">Text</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((line, i) => {
              const look = lineLooks[line.kind];
              return (
                <Table.Tr key={i} style={{ background: look.background }}>
                  <Table.Td ta="right" c="dimmed">
                    {line.oldLine ?? ''}
                  </Table.Td>
                  <Table.Td ta="right" c="dimmed">
                    {line.newLine ?? ''}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    <span aria-hidden="true">{look.sign} </span>
                    {line.kind !== 'same' && <VisuallyHidden>{look.word}: </VisuallyHidden>}
                    {line.text}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {diff.lines.length > shown.length && (
        <Text size="xs" c="dimmed">
          {formatCount(diff.lines.length - shown.length)} more lines not shown.
        </Text>
      )}
    </Stack>
  );
}
