// A progress bar with a name and a value in words ("12 of 40 hints delivered"), for handoff and
// anti-entropy. The role and its values sit on the whole track (Mantine puts them on the filled
// section, which has no width at 0% and says only "33.33%"), so the bar can be found and read at
// any value.

import { Progress } from '@mantine/core';

interface Props {
  /** The accessible name: "Hints for n3 held by n1". */
  label: string;
  /** 0 to 1. */
  fraction: number;
  /** The value in words: "12 of 40 hints delivered". */
  valueText: string;
  color: string;
  /** Moving stripes while the work goes on. */
  active?: boolean;
  size?: 'sm' | 'md' | 'lg';
}

export function ProgressMeter({ label, fraction, valueText, color, active = false, size = 'md' }: Props) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <Progress.Root
      size={size}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={valueText}
    >
      <Progress.Section value={percent} color={color} striped={active} animated={active} withAria={false} />
    </Progress.Root>
  );
}
