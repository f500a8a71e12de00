// Writes a value from the console (AdminApi.writeKey): Bucket, Key, Value and Content type, then
// Write. Opened from the browser it is a blind write (a new key, or a new sibling beside what is
// there); opened from a key's page it carries the context of the read shown there, so it
// replaces those versions. Afterwards it says what remains, and warns when another write raced.

import { Alert, Anchor, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { KeyWriteResult } from '../../../core/admin/admin-api.js';
import { failureSentence } from '../../lib/failure.js';
import { keyHref } from '../../lib/key-routes.js';
import { versionsPhrase } from '../../lib/key-text.js';
import { textToBase64 } from '../../lib/value-text.js';
import { useWriteKey } from './use-keys.js';

/** What the form starts with. */
export interface WriteDraft {
  bucket: string;
  key: string;
  value: string;
  contentType: string;
  /** The context of the read this write replaces; absent for a blind write. */
  context?: string;
  /** How many versions that read showed (for the sentence that says what the write replaces). */
  replaces?: number;
}

export function WriteKeyModal({ draft, onClose }: { draft: WriteDraft | undefined; onClose: () => void }) {
  return (
    <Modal opened={draft !== undefined} onClose={onClose} title={draft?.context === undefined ? 'Write a value' : `Write a new value of ${draft.key}`}>
      {/* Mounted afresh for every opening: the form starts from the draft, with no earlier outcome. */}
      {draft !== undefined && <WriteForm draft={draft} onClose={onClose} />}
    </Modal>
  );
}

function WriteForm({ draft, onClose }: { draft: WriteDraft; onClose: () => void }) {
  const [form, setForm] = useState<WriteDraft>(draft);
  const [result, setResult] = useState<Written | undefined>(undefined);
  const write = useWriteKey();
  const set = (change: Partial<WriteDraft>) => setForm((current) => ({ ...current, ...change }));
  const submit = () => {
    const { bucket, key, value, contentType, context } = form;
    write.mutate(
      { bucket, key, value: textToBase64(value), contentType: contentType.trim(), ...(context === undefined ? {} : { context }) },
      { onSuccess: (outcome) => setResult({ bucket, key, outcome, blind: context === undefined }) },
    );
  };
  const missing = form.bucket === '' || form.key === '' || form.contentType.trim() === '';

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!missing) submit();
      }}
    >
      <Stack gap="sm">
        {form.context !== undefined && (
          <Text size="sm">
            This write carries the context of the read on the key’s page, so it replaces the {versionsPhrase(form.replaces ?? 1)} shown there.
          </Text>
        )}
        {form.context === undefined && (
          <Text size="sm" c="dimmed">
            A write without a context: a new key, or a sibling beside any version already there.
          </Text>
        )}
        <Group grow align="flex-start">
          <TextInput
            label="Bucket"
            required
            value={form.bucket}
            onChange={(e) => set({ bucket: e.currentTarget.value })}
            readOnly={form.context !== undefined}
            spellCheck={false}
            data-autofocus
          />
          <TextInput label="Key" required value={form.key} onChange={(e) => set({ key: e.currentTarget.value })} readOnly={form.context !== undefined} spellCheck={false} />
        </Group>
        <Textarea
          label="Value"
          value={form.value}
          onChange={(e) => set({ value: e.currentTarget.value })}
          autosize
          minRows={4}
          maxRows={14}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <TextInput label="Content type" required value={form.contentType} onChange={(e) => set({ contentType: e.currentTarget.value })} spellCheck={false} />
        {write.isError && (
          <Alert color="red" variant="light" title="The write failed" role="alert">
            {failureSentence(`Writing ${form.bucket}/${form.key}`, write.error)}
          </Alert>
        )}
        {result !== undefined && <WriteOutcome written={result} onClose={onClose} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {result === undefined ? 'Cancel' : 'Close'}
          </Button>
          <Button type="submit" disabled={missing} loading={write.isPending}>
            Write
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface Written {
  bucket: string;
  key: string;
  outcome: KeyWriteResult;
  /** Written without a context (it replaces nothing). */
  blind: boolean;
}

function WriteOutcome({ written, onClose }: { written: Written; onClose: () => void }) {
  // Not spread into props: React keeps `key` for itself.
  const { bucket, key, outcome, blind } = written;
  const count = outcome.after.versions.length;
  const why = blind ? 'a write without a context replaces nothing, so it stands beside what was there' : 'another write arrived that this one did not see';
  return (
    <Alert color={outcome.raced ? 'orange' : 'green'} variant="light" title={outcome.raced ? 'Written, beside other versions' : 'Written'} role="status">
      <Text size="sm">
        {outcome.raced ? `${key} now holds ${versionsPhrase(count)}: ${why}.` : `${key} now holds ${versionsPhrase(count)}.`}{' '}
        <Anchor href={keyHref(bucket, key)} onClick={onClose}>
          Open {key}
        </Anchor>
      </Text>
    </Alert>
  );
}
