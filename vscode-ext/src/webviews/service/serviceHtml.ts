import { PLOT_STYLE } from '../charts/plotStyle.js';
import { escapeHtml, renderPage, type PageParts } from '../html.js';

/** The service page: the shared CSP (scripts and styles with the nonce only) and its skeleton. */
export function renderServiceHtml(page: PageParts): string {
  return renderPage({
    ...page,
    style: `${PLOT_STYLE}
.summary td:first-child { font-weight: bold; }
section { margin: 12px 0 20px; }
.secret { border: 1px solid var(--vscode-inputValidation-warningBorder); padding: 6px 8px; margin: 6px 0; }
.secret code, pre.curl { user-select: all; }
input, select, textarea { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 4px; font-family: inherit; }
textarea { width: 100%; max-width: 60em; font-family: var(--vscode-editor-font-family); }
.row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.chat-log { max-width: 60em; }
.chat-log .turn { margin: 6px 0; white-space: pre-wrap; }
.chat-log .who { font-weight: bold; margin-right: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 0 24px; }`,
    body: `<h2 id="title">${escapeHtml(page.title)}</h2>
<div id="actions"></div><div id="error" class="error"></div>
<div id="root"></div>`,
  });
}
