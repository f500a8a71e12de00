// One time chart of the Metrics page, drawn by uPlot on a canvas: one line per series over the
// chosen window, and behind the lines every fault period as a translucent band in its kind's
// colour (Jepsen style), its start marked by an edge and labelled along the top. The canvas is
// one image with a name that says what it shows; the series' names and values (the latest, or
// where the pointer is) are text above it. It takes its width from its box (a ResizeObserver)
// and its colours from the theme, light or dark.
//
// uPlot under the console's Content-Security-Policy: it styles its elements through the CSSOM
// (element.style), needs no inline <style> element and no eval; its stylesheet is bundled.

import { Box, ColorSwatch, Group, Paper, Stack, Text, Title, type MantineColor, type MantineTheme, rgba, useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatClockTime } from '../../lib/format.js';
import { formatAxisTime } from './metrics-format.js';
import { type FaultBand, type FaultKind, labelRows, latestIndex, type Values } from './metrics-series.js';

export interface ChartSeries {
  label: string;
  colour: MantineColor;
  values: Values;
  dashed?: boolean;
}

interface Props {
  title: string;
  /** What the chart shows and how the scope's figure is made, in a sentence. */
  description: string;
  /** The picture's accessible name. */
  name: string;
  /** Epoch seconds, one per value of each series. */
  x: number[];
  series: ChartSeries[];
  /** The window shown, epoch seconds. */
  fromSec: number;
  toSec: number;
  bands: FaultBand[];
  faultColours: Record<FaultKind, MantineColor>;
  /** A value as text (legend) and as an axis label. */
  format: (value: number) => string;
  axisFormat: (value: number) => string;
  /** The steps the value axis may take (whole numbers for counts, powers of two for bytes); uPlot's own otherwise. */
  incrs?: number[];
  /** Controls of this chart (the latency chart's operation). */
  controls?: ReactNode;
  height?: number;
}

const plotHeight = 190;
const fontSize = 11;

interface Palette {
  axis: string;
  grid: string;
  text: string;
  labelBackground: string;
  series: string[];
  bandFill: Record<FaultKind, string>;
  bandEdge: Record<FaultKind, string>;
  font: string;
}

/** A fault kind's band: its translucent fill and the solid colour of its edges (the legend draws the same). */
export function faultBandColours(theme: MantineTheme, dark: boolean, colour: MantineColor): { fill: string; edge: string } {
  const shade = (light: number, darkShade: number) => theme.colors[colour][dark ? darkShade : light];
  return { fill: rgba(shade(5, 6), dark ? 0.28 : 0.16), edge: shade(6, 5) };
}

function palette(theme: MantineTheme, dark: boolean, series: readonly ChartSeries[], faultColours: Record<FaultKind, MantineColor>): Palette {
  const kinds = Object.keys(faultColours) as FaultKind[];
  const bands = Object.fromEntries(kinds.map((kind) => [kind, faultBandColours(theme, dark, faultColours[kind])])) as Record<FaultKind, { fill: string; edge: string }>;
  return {
    axis: dark ? theme.colors.dark[1] : theme.colors.gray[7],
    grid: dark ? theme.colors.dark[5] : theme.colors.gray[2],
    text: dark ? theme.colors.dark[0] : theme.colors.gray[9],
    labelBackground: dark ? rgba(theme.colors.dark[7], 0.8) : rgba(theme.white, 0.8),
    series: series.map((s) => theme.colors[s.colour][dark ? 4 : 7]),
    bandFill: Object.fromEntries(kinds.map((kind) => [kind, bands[kind].fill])) as Record<FaultKind, string>,
    bandEdge: Object.fromEntries(kinds.map((kind) => [kind, bands[kind].edge])) as Record<FaultKind, string>,
    font: `${fontSize}px ${theme.fontFamily}`,
  };
}

export function TimeChart(props: Props) {
  const { title, description, name, x, series, bands, format, controls, height = plotHeight } = props;
  const theme = useMantineTheme();
  const dark = useComputedColorScheme('light') === 'dark';
  const titleId = useId();
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  const [hovered, setHovered] = useState<number | null>(null);
  // The chart is made again only when what it draws with changes: the theme or the series' set.
  const seriesKey = series.map((s) => `${s.label}:${s.colour}:${s.dashed === true}`).join('|');
  const colours = useMemo(() => palette(theme, dark, series, props.faultColours), [theme, dark, seriesKey, props.faultColours]);

  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: false },
      // Room above for the top value's label and right of the last time; the axes size themselves.
      padding: [10, 14, 0, 0],
      cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
      scales: {
        x: { time: true, range: () => [latest.current.fromSec, latest.current.toSec] },
        y: { range: (_u, _min, max) => [0, max === null || !(max > 0) ? 1 : (uPlot.rangeNum(0, max, 0.1, true)[1] ?? max)] },
      },
      axes: [
        {
          stroke: colours.axis,
          font: colours.font,
          grid: { stroke: colours.grid, width: 1 },
          ticks: { stroke: colours.grid, width: 1, size: 4 },
          space: 72,
          size: 28,
          values: (_u, splits, _axis, _space, increment) => splits.map((second) => formatAxisTime(second, increment)),
        },
        {
          stroke: colours.axis,
          font: colours.font,
          grid: { stroke: colours.grid, width: 1 },
          ticks: { show: false },
          space: 28,
          size: (_u, values) => 16 + Math.max(3, ...(values ?? []).map((value) => value.length)) * 6.5,
          ...(props.incrs === undefined ? {} : { incrs: props.incrs }),
          values: (_u, splits) => splits.map((value) => latest.current.axisFormat(value)),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: colours.series[i],
          width: 1.75,
          ...(s.dashed === true ? { dash: [6, 4] } : {}),
          points: { show: false },
          spanGaps: false,
        })),
      ],
      hooks: {
        drawAxes: [(u) => drawBands(u, latest.current.bands, colours, element)],
        setCursor: [(u) => setHovered(u.cursor.idx ?? null)],
      },
    };
    const made = new uPlot(options, chartData(latest.current), element);
    plot.current = made;
    const observer = new ResizeObserver(() => {
      const width = Math.floor(element.clientWidth);
      if (width > 0 && width !== made.width) made.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [colours, height]);

  // New figures (the page renders once a second); a render for the pointer alone draws nothing new.
  useEffect(() => {
    if (latest.current === props) return;
    latest.current = props;
    plot.current?.setData(chartData(props));
  });

  const hoveredIndex = hovered !== null && hovered >= 0 && hovered < x.length ? hovered : undefined;
  const newest = latestIndex(series.map((s) => s.values));
  const shownIndex = hoveredIndex ?? newest;
  const latestSecond = newest === undefined ? undefined : x[newest];
  // The time of the values shown: the pointer's, or the newest (beside the title unless controls are there).
  const time = (
    <Text size="xs" c="dimmed" ml="auto" style={{ whiteSpace: 'nowrap' }}>
      {hoveredIndex !== undefined ? `at ${formatClockTime(x[hoveredIndex] * 1000)}` : latestSecond === undefined ? 'no samples yet' : `latest ${formatClockTime(latestSecond * 1000)}`}
    </Text>
  );

  return (
    <Paper component="section" aria-labelledby={titleId}>
      <Stack gap={6}>
        <div>
          <Group justify="space-between" align="center" wrap="nowrap" gap="xs" mih={26}>
            <Title order={2} size="h5" id={titleId}>
              {title}
            </Title>
            {controls ?? time}
          </Group>
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        </div>
        <Group gap="md" wrap="wrap" mih={20}>
          {series.map((s, i) => {
            const value = shownIndex === undefined ? undefined : (s.values[shownIndex] ?? undefined);
            return (
              <Group key={s.label} gap={6} wrap="nowrap">
                <ColorSwatch color={colours.series[i]} size={10} radius={2} withShadow={false} aria-hidden="true" />
                <Text size="xs" c="dimmed">
                  {s.label}
                </Text>
                <Text size="xs" fw={600} ff="monospace">
                  {value === undefined ? '–' : format(value)}
                </Text>
              </Group>
            );
          })}
          {controls !== undefined && time}
        </Group>
        <Box
          ref={holder}
          role="img"
          aria-label={name}
          data-latest-at={latestSecond === undefined ? undefined : latestSecond * 1000}
          style={{ minWidth: 0, overflow: 'hidden', height }}
        />
      </Stack>
    </Paper>
  );
}

function chartData(props: Props): uPlot.AlignedData {
  return [props.x, ...props.series.map((s) => s.values)];
}

/**
 * The fault bands behind the series (drawAxes comes after the grid, before the lines), each
 * at least two pixels wide so that a short fault on a long window still shows, with its label
 * along the top in rows that do not overlap. Says how many it drew on the chart's element
 * (data-fault-bands), for the browser tests.
 */
function drawBands(u: uPlot, bands: readonly FaultBand[], colours: Palette, element: HTMLElement): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const ratio = uPlot.pxRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const drawn: Array<{ band: FaultBand; x: number }> = [];
  for (const band of bands) {
    const start = u.valToPos(band.from / 1000, 'x', true);
    const end = u.valToPos(band.to / 1000, 'x', true);
    if (end < left || start > left + width) continue;
    const span = Math.max(end - start, 2 * ratio);
    const kind = band.period.kind;
    ctx.fillStyle = colours.bandFill[kind];
    ctx.fillRect(start, top, span, height);
    ctx.fillStyle = colours.bandEdge[kind];
    ctx.fillRect(start, top, ratio, height);
    if (!band.ongoing) ctx.fillRect(start + span - ratio, top, ratio, height);
    drawn.push({ band, x: Math.max(start, left) });
  }
  ctx.font = `${fontSize * ratio}px ${colours.font.slice(colours.font.indexOf(' ') + 1)}`;
  // uPlot leaves its own text settings on the context (its y axis aligns right).
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const padding = 3 * ratio;
  // A label starts at its band, or ends at the plot's right edge when it would run past it.
  const spans = drawn.map(({ band, x }) => {
    const labelWidth = ctx.measureText(band.period.label).width + 2 * padding;
    return { left: Math.max(left, Math.min(x, left + width - labelWidth - ratio)), width: labelWidth };
  });
  const rows = labelRows(spans);
  const lineHeight = (fontSize + 5) * ratio;
  drawn.forEach(({ band }, i) => {
    if (rows[i] > 2) return;
    const x = spans[i].left + ratio;
    const y = top + padding + rows[i] * lineHeight;
    ctx.fillStyle = colours.labelBackground;
    ctx.fillRect(x, y - ratio, spans[i].width, lineHeight - ratio);
    ctx.fillStyle = colours.text;
    ctx.fillText(band.period.label, x + padding, y + ratio);
  });
  ctx.restore();
  element.dataset.faultBands = String(drawn.length);
}
