import { formatBytes, type Preview } from '@aiplat/api';
import * as vscode from 'vscode';
import { BASE_STYLE, contentSecurityPolicy, createNonce, escapeHtml } from '../html.js';

export interface PreviewPage {
  path: string;
  preview: Preview;
  /** For images: the bytes as a `data:` URI (the webview cannot send the token itself). */
  imageDataUri?: string;
  nonce: string;
  cspSource: string;
}

/**
 * The preview page of a /work file or folder, rendered on the extension side: static HTML (tables
 * for CSV and JSON records, the image inline, a model's summary) and one line of script that saves
 * the page's path for restoring it after a reload.
 */
export function renderPreviewHtml(page: PreviewPage): string {
  const csp = contentSecurityPolicy({ nonce: page.nonce, cspSource: page.cspSource, scripts: true });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${page.nonce}">${BASE_STYLE} img { max-width: 100%; }</style>
<title>${escapeHtml(page.path)}</title>
${saveStateScript(page.path, page.nonce)}</head>
<body><h3>/work/${escapeHtml(page.path)}</h3>
${renderBody(page)}
</body></html>`;
}

/**
 * Keeps the path in the webview's state, which VS Code hands back to restore the page after a
 * reload. In the head, so the state is on its way before the page shows anything.
 */
function saveStateScript(path: string, nonce: string): string {
  const state = JSON.stringify({ path }).replace(/</g, '\\u003c');
  return `<script nonce="${nonce}">acquireVsCodeApi().setState(${state});</script>`;
}

/** A preview page with only a message: a file that could not be read again, a page waiting to reconnect. */
export function renderPreviewMessage(path: string, message: string, cspSource: string): string {
  const nonce = createNonce();
  const csp = contentSecurityPolicy({ nonce, cspSource, scripts: true });
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style nonce="${nonce}">${BASE_STYLE}</style>
<title>${escapeHtml(path)}</title>
${saveStateScript(path, nonce)}</head>
<body><h3>/work/${escapeHtml(path)}</h3>
<p class="muted" data-testid="preview-message">${escapeHtml(message)}</p>
</body></html>`;
}

function renderBody(page: PreviewPage): string {
  const { preview } = page;
  switch (preview.kind) {
    case 'csv':
      return (
        table(preview.header, preview.rows) +
        truncatedNote(preview.truncated, preview.rows.length) +
        errors(preview.errors ?? [])
      );
    case 'json': {
      const rows = preview.records.map((record) =>
        preview.fields.map((field) =>
          typeof record === 'object' && record !== null ? cell((record as Record<string, unknown>)[field]) : '',
        ),
      );
      const note = `<p class="muted">${escapeHtml(
        vscode.l10n.t('{0} records ({1}, format {2})', preview.records.length, preview.format, preview.recordFormat),
      )}</p>`;
      return (
        note +
        table(preview.fields, rows) +
        truncatedNote(preview.truncated, preview.records.length) +
        errors(preview.errors)
      );
    }
    case 'image': {
      const size = preview.width && preview.height ? `${preview.width} × ${preview.height} · ` : '';
      const image = page.imageDataUri
        ? `<img alt="${escapeHtml(page.path)}" src="${escapeHtml(page.imageDataUri)}">`
        : `<p class="muted">${escapeHtml(vscode.l10n.t('The image is too large to show here.'))}</p>`;
      return `<p class="muted">${escapeHtml(`${size}${preview.mimeType} · ${formatBytes(preview.size)}`)}</p>${image}`;
    }
    case 'model': {
      const config = preview.config;
      const summary: [string, unknown][] = [
        [vscode.l10n.t('Architecture'), config?.architectures.join(', ')],
        [vscode.l10n.t('Model type'), config?.modelType],
        [vscode.l10n.t('Layers'), config?.numLayers],
        [vscode.l10n.t('Hidden size'), config?.hiddenSize],
        [vscode.l10n.t('Attention heads'), config?.numAttentionHeads],
        [vscode.l10n.t('Vocabulary'), config?.vocabSize],
        [vscode.l10n.t('Parameters'), preview.parameterCount.toLocaleString('en-US')],
        [vscode.l10n.t('Tensors'), preview.tensorCount],
        [
          vscode.l10n.t('Data types'),
          Object.entries(preview.dtypes)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
        ],
        [vscode.l10n.t('Size'), formatBytes(preview.totalBytes)],
      ];
      const rows = summary.filter(([, value]) => value !== undefined && value !== '').map(([k, v]) => [k, cell(v)]);
      const tensors = preview.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.file]);
      const files = preview.files.map((f) => [f.path, formatBytes(f.size)]);
      return (
        table([vscode.l10n.t('Property'), vscode.l10n.t('Value')], rows) +
        `<h4>${escapeHtml(vscode.l10n.t('Tensors'))}</h4>` +
        table([vscode.l10n.t('Name'), vscode.l10n.t('Type'), vscode.l10n.t('Shape'), vscode.l10n.t('File')], tensors) +
        `<h4>${escapeHtml(vscode.l10n.t('Files'))}</h4>` +
        table([vscode.l10n.t('File'), vscode.l10n.t('Size')], files)
      );
    }
    case 'text':
      return `<pre>${escapeHtml(preview.content)}</pre>${truncatedNote(preview.truncated, undefined)}`;
    case 'directory':
      return `<p>${escapeHtml(vscode.l10n.t('A folder with {0} entries.', preview.entryCount))}</p>`;
    case 'binary':
      return `<p>${escapeHtml(
        vscode.l10n.t(
          'A binary file ({0}, {1}): no preview.',
          preview.mimeType ?? 'application/octet-stream',
          formatBytes(preview.size),
        ),
      )}</p>`;
  }
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

function truncatedNote(truncated: boolean, shown: number | undefined): string {
  if (!truncated) return '';
  const text =
    shown === undefined
      ? vscode.l10n.t('Only the beginning is shown.')
      : vscode.l10n.t('Only the first {0} are shown.', shown);
  return `<p class="muted">${escapeHtml(text)}</p>`;
}

function errors(list: readonly { line: number; message: string }[]): string {
  if (list.length === 0) return '';
  return `<ul class="error">${list
    .map((e) => `<li>${escapeHtml(vscode.l10n.t('Line {0}: {1}', e.line, e.message))}</li>`)
    .join('')}</ul>`;
}
