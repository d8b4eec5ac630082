import type * as React from 'react';

/**
 * React's server renderer, for view tests that read a body's markup in node (no DOM there). It is
 * react-dom's, which JupyterLab ships (through @jupyterlab/ui-components); its types are not
 * installed, hence the typed dynamic import.
 */
const server = (await import('react-dom/server' as string)) as {
  renderToStaticMarkup: (element: React.ReactElement) => string;
};

export const renderToStaticMarkup = server.renderToStaticMarkup;
