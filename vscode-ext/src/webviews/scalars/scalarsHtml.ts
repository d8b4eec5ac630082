import { PLOT_STYLE } from '../charts/plotStyle.js';
import { renderPage, type PageParts } from '../html.js';

/** The TensorBoard page: the shared CSP (scripts and styles with the nonce only) and its skeleton. */
export function renderScalarsHtml(page: PageParts): string {
  return renderPage({
    ...page,
    style: `${PLOT_STYLE}
#toolbar { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; padding: 8px 0; position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); }
#toolbar label { display: inline-flex; align-items: center; gap: 4px; }
#toolbar input[type=search] { width: 16em; }
input, select { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); }
#runs { border: 1px solid var(--vscode-panel-border); margin: 8px 0; }
#runs .run { display: inline-flex; align-items: center; gap: 4px; margin-right: 14px; }
#charts { display: flex; flex-wrap: wrap; gap: 0 24px; }
.chart polyline.raw { stroke-opacity: 0.4; stroke-width: 1; }
.chart polyline.smoothed { stroke-width: 2; }
.source { margin: 2px 0; }
.source-label { font-weight: bold; }
.notice { margin-left: 1em; }
button.link { background: none; color: var(--vscode-textLink-foreground); padding: 0 6px; }
#warnings .warning { font-family: var(--vscode-editor-font-family); margin-left: 1em; }`,
    body: `<div id="toolbar"></div>
<div id="tensorboard"></div><div id="error" class="error"></div>
<div id="sources"></div>
<fieldset id="runs" hidden></fieldset>
<div id="charts"></div>
<details id="warnings" hidden></details>`,
  });
}
