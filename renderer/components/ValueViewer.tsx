// A stored value in the view that fits it (renderer/lib/value-bytes.ts decides which): text as
// it is; JSON pretty-printed as a foldable tree (arrow keys walk it, Enter or Space fold and
// unfold); a hex dump for bytes that are not text; an <img> preview for image types, through a
// data: URL. Where more than one view fits, a switch picks another. A long value is cut, with a
// "Show all" button. Shared: the Keys page and the Conflicts page both show values with it.

import { Button, Code, Group, Image, ScrollArea, SegmentedControl, Stack, Text, Tree, useTree } from '@mantine/core';
import { useMemo, useState } from 'react';
import { parseJson } from '../lib/json-value.js';
import {
  cutText,
  formatBytes,
  hexDump,
  hexShownBytes,
  hexShownBytesMax,
  imageDataUrl,
  jsonTree,
  type JsonTreeNode,
  unfoldedPaths,
  utf8Text,
  valueKind,
  type ValueViewName,
  valueViews,
  viewLabels,
} from '../lib/value-bytes.js';
import { base64ToBytes } from '../lib/value-text.js';

export interface ValueViewerProps {
  /** The value's bytes, base64 (as AdminApi carries them). */
  value: string;
  contentType: string;
  /** The accessible name of the value ("Value of version 1"). */
  label: string;
  /** A tombstone: there is no value to show. */
  deleted?: boolean;
  /** Tallest the value's box grows before it scrolls, in pixels. */
  maxHeight?: number;
}

const kindWords = { image: 'Image', json: 'JSON', text: 'Text', binary: 'Binary' } as const;

export function ValueViewer({ value, contentType, label, deleted = false, maxHeight = 360 }: ValueViewerProps) {
  const bytes = useMemo(() => decode(value), [value]);
  const kind = useMemo(() => (bytes === undefined ? 'binary' : valueKind(bytes, contentType)), [bytes, contentType]);
  const views = valueViews(kind);
  const [chosen, setChosen] = useState<ValueViewName | undefined>(undefined);
  const view = chosen !== undefined && views.includes(chosen) ? chosen : views[0];

  if (deleted) return <Note>Deleted: a tombstone, no value.</Note>;
  if (bytes === undefined) return <Note>The value is not valid base64, so it cannot be shown.</Note>;
  if (bytes.length === 0) return <Note>Empty value (0 bytes).</Note>;

  return (
    <Stack gap={6}>
      <Group gap="sm" justify="space-between" wrap="nowrap">
        <Text size="xs" c="dimmed">
          {kindWords[kind]} · {formatBytes(bytes.length)}
        </Text>
        {views.length > 1 && (
          <SegmentedControl
            size="xs"
            aria-label={`${label}: show as`}
            value={view}
            onChange={(next) => setChosen(next as ValueViewName)}
            data={views.map((name) => ({ value: name, label: viewLabels[name] }))}
          />
        )}
      </Group>
      {view === 'image' && <ImagePreview value={value} contentType={contentType} label={label} bytes={bytes.length} maxHeight={maxHeight} />}
      {view === 'json' && <JsonView bytes={bytes} label={label} maxHeight={maxHeight} />}
      {view === 'text' && <TextView text={utf8Text(bytes) ?? ''} label={label} maxHeight={maxHeight} />}
      {view === 'hex' && <HexView bytes={bytes} label={label} maxHeight={maxHeight} />}
    </Stack>
  );
}

function decode(value: string): Uint8Array | undefined {
  try {
    return base64ToBytes(value);
  } catch {
    return undefined;
  }
}

function Note({ children }: { children: string }) {
  return (
    <Text size="sm" c="dimmed">
      {children}
    </Text>
  );
}

/** Monospaced text in a box that scrolls (and, scrolling, can be reached with Tab). */
function Block({ text, label, maxHeight, wrap }: { text: string; label: string; maxHeight: number; wrap: boolean }) {
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto" offsetScrollbars>
      <Code
        block
        role="region"
        aria-label={label}
        tabIndex={0}
        style={{ whiteSpace: wrap ? 'pre-wrap' : 'pre', wordBreak: wrap ? 'break-word' : 'normal', fontSize: 'var(--mantine-font-size-xs)' }}
      >
        {text}
      </Code>
    </ScrollArea.Autosize>
  );
}

/** The "Show all" button under a cut value, with what is hidden. */
function ShowAll({ onShowAll, hidden }: { onShowAll: () => void; hidden: string }) {
  return (
    <Group gap="sm">
      <Button variant="light" size="compact-xs" onClick={onShowAll}>
        Show all
      </Button>
      <Text size="xs" c="dimmed">
        {hidden}
      </Text>
    </Group>
  );
}

function TextView({ text, label, maxHeight }: { text: string; label: string; maxHeight: number }) {
  const [all, setAll] = useState(false);
  const { shown, cut } = all ? { shown: text, cut: false } : cutText(text);
  return (
    <Stack gap={6}>
      <Block text={shown} label={label} maxHeight={maxHeight} wrap />
      {cut && <ShowAll onShowAll={() => setAll(true)} hidden={`Showing the first ${shown.length.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters.`} />}
    </Stack>
  );
}

function HexView({ bytes, label, maxHeight }: { bytes: Uint8Array; label: string; maxHeight: number }) {
  const [all, setAll] = useState(false);
  const limit = all ? hexShownBytesMax : hexShownBytes;
  const shownBytes = Math.min(bytes.length, limit);
  return (
    <Stack gap={6}>
      <Block text={hexDump(bytes, limit)} label={`${label} (hex dump)`} maxHeight={maxHeight} wrap={false} />
      {bytes.length > shownBytes &&
        (all ? (
          <Text size="xs" c="dimmed">
            The dump stops at {formatBytes(hexShownBytesMax)} of {formatBytes(bytes.length)}.
          </Text>
        ) : (
          <ShowAll onShowAll={() => setAll(true)} hidden={`Showing the first ${formatBytes(shownBytes)} of ${formatBytes(bytes.length)}.`} />
        ))}
    </Stack>
  );
}

function ImagePreview({ value, contentType, label, bytes, maxHeight }: { value: string; contentType: string; label: string; bytes: number; maxHeight: number }) {
  const [broken, setBroken] = useState(false);
  const [size, setSize] = useState<string | undefined>(undefined);
  const url = imageDataUrl(value, contentType);
  if (url === undefined || broken) return <Note>{`The browser cannot draw this ${contentType} image: see the Hex view.`}</Note>;
  return (
    <Stack gap={4} align="flex-start">
      <Image
        src={url}
        alt={`${label}: ${contentType} image, ${formatBytes(bytes)}`}
        mah={maxHeight}
        w="auto"
        maw="100%"
        fit="contain"
        radius="sm"
        onError={() => setBroken(true)}
        onLoad={(event) => setSize(`${event.currentTarget.naturalWidth} × ${event.currentTarget.naturalHeight} pixels`)}
        style={{ border: '1px solid var(--mantine-color-default-border)' }}
      />
      {size !== undefined && (
        <Text size="xs" c="dimmed">
          {size}
        </Text>
      )}
    </Stack>
  );
}

function JsonView({ bytes, label, maxHeight }: { bytes: Uint8Array; label: string; maxHeight: number }) {
  const root = useMemo<JsonTreeNode | undefined>(() => {
    const parsed = parseJson(utf8Text(bytes) ?? '');
    return parsed === undefined ? undefined : jsonTree(parsed.value);
  }, [bytes]);
  if (root === undefined) return <Note>Not valid JSON: see the Text view.</Note>;
  return <JsonTreeView root={root} label={label} maxHeight={maxHeight} />;
}

function JsonTreeView({ root, label, maxHeight }: { root: JsonTreeNode; label: string; maxHeight: number }) {
  const initial = useMemo(() => Object.fromEntries(unfoldedPaths(root, 2).map((path) => [path, true])), [root]);
  const tree = useTree({ initialExpandedState: initial });
  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Button variant="default" size="compact-xs" onClick={() => tree.expandAllNodes()}>
          Unfold all
        </Button>
        <Button variant="default" size="compact-xs" onClick={() => tree.collapseAllNodes()}>
          Fold all
        </Button>
      </Group>
      <ScrollArea.Autosize mah={maxHeight} type="auto" offsetScrollbars>
        <Tree
          data={[root]}
          tree={tree}
          aria-label={label}
          levelOffset="md"
          withLines
          renderNode={({ node, expanded, hasChildren, elementProps }) => (
            <Group gap={4} wrap="nowrap" {...elementProps}>
              <Text span size="xs" c="dimmed" w={12} aria-hidden="true" style={{ flex: 'none' }}>
                {hasChildren ? (expanded ? '▾' : '▸') : ''}
              </Text>
              <Text span size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {node.label}
              </Text>
            </Group>
          )}
        />
      </ScrollArea.Autosize>
    </Stack>
  );
}
