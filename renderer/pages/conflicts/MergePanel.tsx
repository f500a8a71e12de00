// Write a merged value: the "Merged value" box, pre-filled by the merge helper (a union for JSON
// arrays, every field for JSON objects with the conflicting paths listed, text one value after
// another), the helper's explanation, the content type, and "Write merged value", with what the
// write supersedes said right above the button.

import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useId, useMemo, useState } from 'react';
import { formatPath, jsonPreview, parseJson } from '../../lib/json-value.js';
import { type MergeConflict, proposeMerge } from '../../lib/merge-helper.js';
import { isJsonContentType } from '../../lib/value-text.js';
import type { ShownSibling } from './SiblingDiff.js';

interface Props {
  siblings: ShownSibling[];
  /** What the write will do (supersedeSentence). */
  statement: string;
  onWrite: (text: string, contentType: string) => void;
  pending: boolean;
  disabled: boolean;
}

export function MergePanel({ siblings, statement, onWrite, pending, disabled }: Props) {
  const proposal = useMemo(
    () =>
      proposeMerge(
        siblings.map(({ version, value }) => ({ sibling: version.index, value, contentType: version.contentType, lastModified: version.lastModified, deleted: version.deleted })),
      ),
    [siblings],
  );
  const [text, setText] = useState(proposal.text);
  const [contentType, setContentType] = useState(proposal.contentType);
  const statementId = useId();
  const explanationId = useId();
  const invalidJson = isJsonContentType(contentType) && parseJson(text) === undefined;
  const edited = text !== proposal.text || contentType !== proposal.contentType;

  return (
    <Paper component="section" aria-labelledby="merge-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="merge-title">
          Write a merged value
        </Title>
        <Text size="sm" id={explanationId}>
          {proposal.explanation}
        </Text>
        {proposal.conflicts.length > 0 && <ConflictingPaths conflicts={proposal.conflicts} siblings={siblings.map((s) => s.version.index)} />}
        <Textarea
          label="Merged value"
          description="Edit it as you need; it is written exactly as it stands."
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          autosize
          minRows={5}
          maxRows={18}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-sm)' } }}
          error={invalidJson ? 'This is not valid JSON: fix it, or change the content type.' : undefined}
          aria-describedby={explanationId}
        />
        <Group align="flex-end" gap="sm">
          <TextInput label="Content type" size="xs" w={240} value={contentType} onChange={(event) => setContentType(event.currentTarget.value)} />
          <Button
            variant="default"
            disabled={!edited}
            onClick={() => {
              setText(proposal.text);
              setContentType(proposal.contentType);
            }}
          >
            Reset to the proposed merge
          </Button>
        </Group>
        <Alert color="blue" variant="light" p="sm" role="note">
          <Group justify="space-between" gap="sm" wrap="nowrap">
            <Text size="sm" id={statementId}>
              {statement}
            </Text>
            <Button
              onClick={() => onWrite(text, contentType.trim() === '' ? 'application/octet-stream' : contentType.trim())}
              loading={pending}
              disabled={disabled || invalidJson}
              aria-describedby={statementId}
              style={{ flex: 'none' }}
            >
              Write merged value
            </Button>
          </Group>
        </Alert>
      </Stack>
    </Paper>
  );
}

function ConflictingPaths({ conflicts, siblings }: { conflicts: MergeConflict[]; siblings: number[] }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        Where the siblings disagree
      </Text>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Paths where the siblings disagree" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Path</Table.Th>
              {siblings.map((n) => (
                <Table.Th scope="col" key={n}>
                  Sibling {n}
                </Table.Th>
              ))}
              <Table.Th scope="col">The merge takes</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {conflicts.map((conflict) => (
              <Table.Tr key={formatPath(conflict.path)}>
                <Table.Th scope="row" ff="monospace" fw={600}>
                  {formatPath(conflict.path)}
                </Table.Th>
                {siblings.map((n) => (
                  <Table.Td key={n} ff="monospace">
                    {jsonPreview(conflict.values.find((v) => v.sibling === n)?.value, 40)}
                  </Table.Td>
                ))}
                <Table.Td>
                  <Badge color={conflict.taken === 'union' ? 'teal' : 'orange'}>{conflict.taken === 'union' ? 'the union' : `Sibling ${conflict.taken}`}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
