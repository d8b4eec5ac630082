import { LabIcon } from '@jupyterlab/ui-components';

/** The sidebar tab's icon: a chip with a spark; `jp-icon3` fills follow the theme. */
const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M7 3h2v2h2V3h2v2h2V3h2v2h2a2 2 0 0 1 2 2v2h2v2h-2v2h2v2h-2v2a2 2 0 0 1-2 2h-2v2h-2v-2h-2v2h-2v-2H9v2H7v-2H5a2 2 0 0 1-2-2v-2H1v-2h2v-2H1V9h2V7a2 2 0 0 1 2-2h2V3zm-2 4v12h14V7H5z"/>
    <path d="M12.5 8.5 10 13h2l-.5 3.5L14 12h-2l.5-3.5z"/>
  </g>
</svg>`;

export const aiplatIcon = new LabIcon({ name: '@aiplat/jupyterlab-ext:logo', svgstr });
