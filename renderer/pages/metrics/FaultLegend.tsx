// Which colour shades which kind of fault on the charts, each colour with its word (colour is
// never the only signal), and what each kind means on hover or focus.

import { Box, Group, type MantineColor, Text, Tooltip, useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { faultBandColours } from './TimeChart.js';
import { faultKindMeanings, faultKindWords } from './metrics-format.js';
import { type FaultKind, faultKinds } from './metrics-series.js';

/**
 * Red and orange for a process gone, gray for one stopped on request, violet for a cut. Yellow
 * (for a verdict of down) is close to orange when pale, but the two never meet: `down` is only
 * used where the console sees no processes, so none can have crashed.
 */
export const faultColours: Record<FaultKind, MantineColor> = {
  killed: 'red',
  crashed: 'orange',
  stopped: 'gray',
  isolated: 'violet',
  down: 'yellow',
};

export function FaultLegend() {
  const theme = useMantineTheme();
  const dark = useComputedColorScheme('light') === 'dark';
  return (
    <Group gap="sm" wrap="wrap" role="list" aria-label="Fault shading">
      <Text size="xs" c="dimmed" aria-hidden="true">
        Shaded:
      </Text>
      {faultKinds.map((kind) => (
        <Tooltip key={kind} label={faultKindMeanings[kind]}>
          <Group gap={5} wrap="nowrap" role="listitem" tabIndex={0} aria-label={`${faultKindWords[kind]}: ${faultKindMeanings[kind]}`}>
            <BandSwatch {...faultBandColours(theme, dark, faultColours[kind])} />
            <Text size="xs">{faultKindWords[kind]}</Text>
          </Group>
        </Tooltip>
      ))}
    </Group>
  );
}

/** A band in small: its fill between its two edges. */
function BandSwatch({ fill, edge }: { fill: string; edge: string }) {
  return <Box aria-hidden="true" w={18} h={12} style={{ background: fill, borderLeft: `1px solid ${edge}`, borderRight: `1px solid ${edge}` }} />;
}
