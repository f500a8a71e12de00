// The renderer's Content Security Policy, the same in both shells (the web console sends it as a
// header, the desktop window on every response): only the console's own files. No inline script
// and no eval (script-src 'self' without 'unsafe-inline' or 'unsafe-eval'), no remote origin
// anywhere, no plugins, frames, workers, forms or <base>. Inline *styles* are allowed: the
// component library writes its theme's CSS variables in a <style> element, which is not script.

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
