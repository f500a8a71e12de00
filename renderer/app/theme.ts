// The console's look, in one place: Mantine's theme (light and dark come from its colour
// scheme), the defaults of the components the pages use, and the few CSS variables changed so
// that every text meets WCAG AA contrast (axe-core checks it in the browser tests): dimmed text
// one shade darker, light-variant text (badges, light buttons) darker than Mantine's shade 9,
// and filled buttons on shade 8. Pages pass no colours or sizes of their own beyond theme names.

import { type CSSVariablesResolver, createTheme, darken } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  headings: { fontWeight: '600' },
  defaultRadius: 'sm',
  cursorType: 'pointer',
  focusRing: 'auto',
  respectReducedMotion: true,
  components: {
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'xs', highlightOnHover: true }, styles: { th: { whiteSpace: 'nowrap' } } },
    // A state badge keeps its word whole, however narrow its cell.
    Badge: { defaultProps: { variant: 'light', radius: 'sm' }, styles: { root: { flexShrink: 0, overflow: 'visible' } } },
    Button: { defaultProps: { size: 'xs' } },
    Paper: { defaultProps: { withBorder: true, p: 'md', radius: 'md' } },
    Tooltip: { defaultProps: { withArrow: true, openDelay: 200, multiline: true, maw: 320 } },
    Modal: { defaultProps: { centered: true, size: 'lg', closeButtonProps: { 'aria-label': 'Close' } }, styles: { title: { fontWeight: 600 } } },
    // The dialog's header is not the page's banner landmark.
    ModalHeader: { defaultProps: { component: 'div' } },
  },
});

export const cssVariablesResolver: CSSVariablesResolver = (resolved) => {
  const lightText: Record<string, string> = {};
  for (const [name, shades] of Object.entries(resolved.colors)) {
    lightText[`--mantine-color-${name}-light-color`] = darken(shades[9], 0.35);
  }
  return {
    variables: {},
    light: { ...lightText, '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
    dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
  };
};

/** Heights and widths of the shell, shared by the layout. */
export const shellSizes = { header: 52, navbar: 168 } as const;
