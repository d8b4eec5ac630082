/** The CSS of the charts `renderPlot` draws (plotView.ts), for a page's `<style>`. */
export const PLOT_STYLE = `
.chart { margin: 8px 0 16px; }
.chart-title { font-weight: bold; margin-bottom: 4px; }
.chart svg { background: var(--vscode-editorWidget-background); }
.chart polyline { fill: none; stroke-width: 1.5; }
.chart text { fill: var(--vscode-descriptionForeground); font-size: 10px; }
.chart line.grid { stroke: var(--vscode-panel-border); stroke-width: 0.5; }
.chart line.axis { stroke: var(--vscode-descriptionForeground); }
.chart .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin-top: 4px; }
.chart .legend-entry { display: inline-flex; align-items: center; gap: 4px; }
.chart .swatch line { stroke-width: 3; }
`;
