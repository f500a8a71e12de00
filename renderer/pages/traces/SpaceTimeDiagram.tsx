// One trace drawn as a space-time diagram: a column per node with its lifeline running down as
// time passes (a scale in milliseconds on the left, a long idle stretch cut out and marked), an
// arrow per message from the coordinator's lifeline when it was sent to the replica's when its
// reply came back, each labelled with its number, kind, time and reply; the replies that made
// the quorum drawn heavy, fallbacks' hinted writes, read repairs, failures and replies still
// awaited each in their own stroke, and the moments the quorum was met and the answer sent as
// rules across. The layout comes from space-time.ts; this only draws it, with a legend that
// says each stroke in words.

import { Group, List, Text } from '@mantine/core';
import { useId, useMemo } from 'react';
import type { TraceView } from '../../../core/admin/admin-api.js';
import { type ArrowLook, type DiagramArrow, diagramSizes, type LabelBox, layoutSpaceTime, type SpaceTimeLayout } from './space-time.js';
import { diagramName } from './trace-text.js';

interface Stroke {
  colour: string;
  width: number;
  dash?: string;
}

const strokes: Record<ArrowLook, Stroke> = {
  quorum: { colour: 'var(--mantine-color-blue-filled)', width: 2.75 },
  reply: { colour: 'var(--mantine-color-gray-6)', width: 1.5 },
  fallback: { colour: 'var(--mantine-color-orange-filled)', width: 2, dash: '8 4' },
  repair: { colour: 'var(--mantine-color-violet-filled)', width: 1.5, dash: '3 3' },
  forward: { colour: 'var(--mantine-color-teal-filled)', width: 2.25 },
  failed: { colour: 'var(--mantine-color-red-filled)', width: 1.75 },
  pending: { colour: 'var(--mantine-color-gray-6)', width: 1.5, dash: '2 4' },
};

const legendWords: Record<ArrowLook, string> = {
  quorum: 'A reply that made the quorum',
  reply: 'A reply the quorum did not need',
  fallback: 'A fallback’s write, kept as a hint for the primary it stands in for',
  repair: 'A read repair, sent after the answer to a replica that was behind',
  forward: 'The put forwarded to a node of the key’s preference list',
  failed: 'A message that timed out or failed (×)',
  pending: 'A message whose reply has not come back yet',
};

const textStyle = { fill: 'var(--mantine-color-text)', fontSize: diagramSizes.labelFontPx } as const;
/** A halo in the background colour, so a label stays readable where it crosses a line. */
const haloStyle = { stroke: 'var(--mantine-color-body)', strokeWidth: 4, strokeLinejoin: 'round', paintOrder: 'stroke' } as const;

export function SpaceTimeDiagram({ trace }: { trace: TraceView }) {
  const layout = useMemo(() => layoutSpaceTime(trace), [trace]);
  const name = useMemo(() => diagramName(trace), [trace]);
  const markerPrefix = `st-${useId().replace(/:/g, '')}`;
  return (
    <svg
      role="img"
      aria-label={name}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
      style={{ maxWidth: '100%', height: 'auto', display: 'block', fontFamily: 'var(--mantine-font-family)' }}
    >
      <defs>
        {(Object.keys(strokes) as ArrowLook[]).map((look) => (
          <marker key={look} id={`${markerPrefix}-${look}`} viewBox="0 0 10 10" refX={9} refY={5} markerWidth={7} markerHeight={7} markerUnits="userSpaceOnUse" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: strokes[look].colour }} />
          </marker>
        ))}
      </defs>
      <TimeAxis layout={layout} />
      <Lifelines layout={layout} />
      <Breaks layout={layout} />
      {layout.rules.map((rule) => (
        <line
          key={rule.kind}
          x1={diagramSizes.firstColumnX - 24}
          x2={layout.width - 4}
          y1={rule.y}
          y2={rule.y}
          style={
            rule.kind === 'quorum'
              ? { stroke: 'var(--mantine-color-blue-filled)', strokeWidth: 1.25, strokeDasharray: '6 4' }
              : { stroke: 'var(--mantine-color-green-filled)', strokeWidth: 1.5 }
          }
        />
      ))}
      {layout.arrows.map((arrow) => (
        <Arrow key={arrow.number} arrow={arrow} markerId={`${markerPrefix}-${arrow.look}`} />
      ))}
      {layout.rules.map((rule) => rule.label !== undefined && <Label key={`label-${rule.kind}`} label={rule.label} weight={600} />)}
      {layout.arrows.map((arrow) => (
        <Label key={`label-${arrow.number}`} label={arrow.label} weight={arrow.message.quorum ? 600 : 400} />
      ))}
    </svg>
  );
}

function TimeAxis({ layout }: { layout: SpaceTimeLayout }) {
  const { axisWidth } = diagramSizes;
  return (
    <g>
      <text x={axisWidth - 8} y={diagramSizes.timeTop - 12} textAnchor="end" style={{ ...textStyle, fill: 'var(--mantine-color-dimmed)' }}>
        time ↓
      </text>
      <line x1={axisWidth} x2={axisWidth} y1={diagramSizes.timeTop} y2={layout.bottom} style={{ stroke: 'var(--mantine-color-default-border)', strokeWidth: 1 }} />
      {layout.ticks.map((tick) => (
        <g key={tick.y}>
          <line x1={axisWidth - 4} x2={layout.width - 4} y1={tick.y} y2={tick.y} style={{ stroke: 'var(--mantine-color-default-border)', strokeWidth: 1, opacity: 0.6 }} />
          <line x1={axisWidth - 4} x2={axisWidth + 4} y1={tick.y} y2={tick.y} style={{ stroke: 'var(--mantine-color-dimmed)', strokeWidth: 1 }} />
          <text x={axisWidth - 8} y={tick.y + 4} textAnchor="end" style={{ ...textStyle, fill: 'var(--mantine-color-dimmed)', fontVariantNumeric: 'tabular-nums' }}>
            {tick.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function Lifelines({ layout }: { layout: SpaceTimeLayout }) {
  return (
    <g>
      {layout.columns.map((column, i) => {
        const pill = Math.max(48, column.node.length * 8.5 + 20);
        const look = i === 0 ? 'blue' : column.fallback ? 'orange' : 'gray';
        return (
          <g key={column.node}>
            <line
              x1={column.x}
              x2={column.x}
              y1={54}
              y2={layout.bottom}
              style={{ stroke: column.fallback ? 'var(--mantine-color-orange-filled)' : 'var(--mantine-color-gray-5)', strokeWidth: i === 0 ? 2 : 1.25, strokeDasharray: column.fallback ? '6 4' : undefined }}
            />
            <rect x={column.x - pill / 2} y={6} width={pill} height={24} rx={12} style={{ fill: `var(--mantine-color-${look}-light)`, stroke: `var(--mantine-color-${look}-outline)`, strokeWidth: 1 }} />
            <text x={column.x} y={23} textAnchor="middle" style={{ fill: 'var(--mantine-color-text)', fontSize: 13, fontWeight: 700, fontFamily: 'var(--mantine-font-family-monospace)' }}>
              {column.node}
            </text>
            <text x={column.x} y={45} textAnchor="middle" style={{ ...textStyle, fill: 'var(--mantine-color-dimmed)' }}>
              {column.role}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function Breaks({ layout }: { layout: SpaceTimeLayout }) {
  const { axisWidth } = diagramSizes;
  return (
    <g>
      {layout.breaks.map((band) => {
        const wave = (y: number) => {
          let d = `M ${axisWidth - 6} ${y}`;
          for (let x = axisWidth - 6; x < layout.width - 4; x += 12) d += ` q 3 -3 6 0 q 3 3 6 0`;
          return d;
        };
        return (
          <g key={band.y0}>
            <rect x={axisWidth - 6} y={band.y0} width={layout.width - axisWidth + 2} height={band.y1 - band.y0} style={{ fill: 'var(--mantine-color-body)' }} />
            <rect x={axisWidth - 6} y={band.y0 + 4} width={layout.width - axisWidth + 2} height={band.y1 - band.y0 - 8} style={{ fill: 'var(--mantine-color-default-hover)' }} />
            <path d={wave(band.y0 + 4)} style={{ fill: 'none', stroke: 'var(--mantine-color-dimmed)', strokeWidth: 1 }} />
            <path d={wave(band.y1 - 4)} style={{ fill: 'none', stroke: 'var(--mantine-color-dimmed)', strokeWidth: 1 }} />
            {layout.columns.map((column) => (
              <line key={column.node} x1={column.x} x2={column.x} y1={band.y0 + 6} y2={band.y1 - 6} style={{ stroke: 'var(--mantine-color-gray-5)', strokeWidth: 1.25, strokeDasharray: '1 3' }} />
            ))}
            <text x={axisWidth - 10} y={(band.y0 + band.y1) / 2 + 4} textAnchor="end" style={{ ...textStyle, fill: 'var(--mantine-color-dimmed)', fontStyle: 'italic' }}>
              {band.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function Arrow({ arrow, markerId }: { arrow: DiagramArrow; markerId: string }) {
  const stroke = strokes[arrow.look];
  const width = stroke.width + (arrow.message.quorum && arrow.look !== 'quorum' ? 1 : 0);
  const style = { fill: 'none', stroke: stroke.colour, strokeWidth: width, strokeDasharray: stroke.dash, strokeLinecap: 'round' } as const;
  const { x1, y1, x2, y2 } = arrow;
  const d = arrow.self ? `M ${x1} ${y1} h ${diagramSizes.selfLoopWidth} V ${y2} H ${x2 + 2}` : `M ${x1} ${y1} L ${x2} ${y2}`;
  return (
    <g>
      <path d={d} style={style} markerEnd={arrow.end === 'head' ? `url(#${markerId})` : undefined} />
      {arrow.end === 'cross' && (
        <path d={`M ${x2 - 5} ${y2 - 5} L ${x2 + 5} ${y2 + 5} M ${x2 + 5} ${y2 - 5} L ${x2 - 5} ${y2 + 5}`} style={{ stroke: stroke.colour, strokeWidth: 2.25, strokeLinecap: 'round' }} />
      )}
      {arrow.end === 'open' && <circle cx={x2} cy={y2} r={4} style={{ fill: 'var(--mantine-color-body)', stroke: stroke.colour, strokeWidth: 1.5 }} />}
    </g>
  );
}

function Label({ label, weight }: { label: LabelBox; weight: number }) {
  return (
    <text x={label.x} y={label.y} textAnchor={label.anchor} style={{ ...textStyle, ...haloStyle }}>
      {label.lines.map((line, i) => (
        <tspan key={i} x={label.x} dy={i === 0 ? 0 : diagramSizes.labelLineHeight} style={{ fontWeight: i === 1 ? weight : 400 }}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

function Swatch({ look }: { look: ArrowLook }) {
  const stroke = strokes[look];
  return (
    <svg width={34} height={12} aria-hidden="true" style={{ flex: 'none' }}>
      <line x1={2} x2={look === 'failed' ? 24 : 30} y1={6} y2={6} style={{ stroke: stroke.colour, strokeWidth: stroke.width, strokeDasharray: stroke.dash }} />
      {look === 'failed' && <path d="M 25 2 L 32 10 M 32 2 L 25 10" style={{ stroke: stroke.colour, strokeWidth: 2 }} />}
    </svg>
  );
}

function RuleSwatch({ kind }: { kind: 'quorum' | 'answer' }) {
  return (
    <svg width={34} height={12} aria-hidden="true" style={{ flex: 'none' }}>
      <line
        x1={2}
        x2={32}
        y1={6}
        y2={6}
        style={kind === 'quorum' ? { stroke: 'var(--mantine-color-blue-filled)', strokeWidth: 1.25, strokeDasharray: '6 4' } : { stroke: 'var(--mantine-color-green-filled)', strokeWidth: 1.5 }}
      />
    </svg>
  );
}

/** What each stroke of this diagram means, in words: only those it uses. */
export function DiagramLegend({ trace }: { trace: TraceView }) {
  const layout = useMemo(() => layoutSpaceTime(trace), [trace]);
  const looks = (Object.keys(strokes) as ArrowLook[]).filter((look) => layout.arrows.some((arrow) => arrow.look === look));
  const rules = layout.rules.map((rule) => rule.kind);
  return (
    <List listStyleType="none" spacing={4} aria-label="Diagram legend" size="sm">
      {looks.map((look) => (
        <List.Item key={look}>
          <Group gap="xs" wrap="nowrap">
            <Swatch look={look} />
            <Text size="sm">{legendWords[look]}</Text>
          </Group>
        </List.Item>
      ))}
      {rules.includes('quorum') && (
        <List.Item>
          <Group gap="xs" wrap="nowrap">
            <RuleSwatch kind="quorum" />
            <Text size="sm">The moment the quorum was met</Text>
          </Group>
        </List.Item>
      )}
      {rules.includes('answer') && (
        <List.Item>
          <Group gap="xs" wrap="nowrap">
            <RuleSwatch kind="answer" />
            <Text size="sm">The moment the answer was sent to the client</Text>
          </Group>
        </List.Item>
      )}
      {layout.breaks.length > 0 && (
        <List.Item>
          <Text size="sm" c="dimmed">
            A wavy band cuts out an idle stretch; it says how long it was.
          </Text>
        </List.Item>
      )}
    </List>
  );
}
