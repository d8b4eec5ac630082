import { randomBytes } from 'node:crypto';

/** A fresh nonce for each page's CSP. */
export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The Content-Security-Policy of every page: nothing unless allowed; styles and scripts only with
 * the page's nonce (scripts from the extension's own dist folder); images inline as data: URIs.
 */
export function contentSecurityPolicy(options: { nonce: string; cspSource: string; scripts: boolean }): string {
  return [
    "default-src 'none'",
    `img-src ${options.cspSource} data:`,
    `style-src 'nonce-${options.nonce}'`,
    options.scripts ? `script-src 'nonce-${options.nonce}'` : "script-src 'none'",
  ].join('; ');
}

/** The shared look: VS Code's theme variables, nothing of our own colours. */
export const BASE_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: var(--vscode-editorWidget-background); }
td { max-width: 40em; overflow-wrap: anywhere; white-space: pre-wrap; }
.muted { color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; margin-right: 6px; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: default; }
`;

/** What the extension fills in of each page: its title, its script's URL, the CSP source and the nonce. */
export interface PageParts {
  title: string;
  scriptUri: string;
  cspSource: string;
  nonce: string;
}

/** A page of ours: the shared CSP (scripts and styles with the nonce only), the base style plus `style`, `body`, then its script. */
export function renderPage(page: PageParts & { style: string; body: string }): string {
  const csp = contentSecurityPolicy({ nonce: page.nonce, cspSource: page.cspSource, scripts: true });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${page.nonce}">${BASE_STYLE}
${page.style}
</style>
<title>${escapeHtml(page.title)}</title></head>
<body>
${page.body}
<script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body></html>`;
}
