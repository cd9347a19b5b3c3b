import type { Response } from 'express';

/**
 * The small pages the API serves itself (queue dashboard sign-in, development
 * pages) get a policy stricter than the API's: nothing but this origin's own
 * script and stylesheet, no inline code, no framing, forms and requests to
 * this origin only.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text as HTML with its http(s) links clickable. */
export function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}

/** A whole page: `kind` selects its behaviour in pages.js; `body` is HTML (escape what it quotes). */
export function htmlPage(kind: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Oktonine</title>
<link rel="stylesheet" href="/assets/pages.css">
<script src="/assets/pages.js" defer></script>
</head>
<body data-page="${escapeHtml(kind)}">
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).setHeader('Content-Security-Policy', PAGE_CSP).setHeader('Cache-Control', 'no-store').type('html').send(html);
}

/** The status line pages.js writes its messages to. */
export const STATUS_LINE = '<p id="status" role="status"></p>';

/** The sign-in form the pages share (pages.js posts it to /api/auth/login). */
export const signInForm = (hidden = false) => `<form id="sign-in"${hidden ? ' hidden' : ''}>
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`;
