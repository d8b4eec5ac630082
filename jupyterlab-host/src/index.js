// The host application (JupyterLab's examples/app and dev_mode/index.js): register the core
// extensions bundled here and the prebuilt extensions the server lists, then start JupyterLab.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

import '../build/style.js';

// Plugins that need the Python `jupyterlab` package's server side, absent from this host.
const IGNORED = new Set(['@jupyterlab/apputils-extension:announcements']);

async function createModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  const instance = factory();
  instance.__scope__ = scope;
  return instance;
}

function* activePlugins(extension) {
  // A module exports one plugin or a list of them, as `default` or as the module itself.
  let exports = extension;
  if (Object.prototype.hasOwnProperty.call(extension, '__esModule')) exports = extension.default;
  if (!Array.isArray(exports)) exports = [exports];
  for (const plugin of exports) {
    if (IGNORED.has(plugin.id) || PageConfig.Extension.isDisabled(plugin.id)) continue;
    yield plugin;
  }
}

// Core extension modules, imported statically so that the bundler includes them.
const CORE = {
  '@jupyterlab/application-extension': () => import('@jupyterlab/application-extension'),
  '@jupyterlab/apputils-extension': () => import('@jupyterlab/apputils-extension'),
  '@jupyterlab/cell-toolbar-extension': () => import('@jupyterlab/cell-toolbar-extension'),
  '@jupyterlab/celltags-extension': () => import('@jupyterlab/celltags-extension'),
  '@jupyterlab/codemirror-extension': () => import('@jupyterlab/codemirror-extension'),
  '@jupyterlab/completer-extension': () => import('@jupyterlab/completer-extension'),
  '@jupyterlab/console-extension': () => import('@jupyterlab/console-extension'),
  '@jupyterlab/csvviewer-extension': () => import('@jupyterlab/csvviewer-extension'),
  '@jupyterlab/docmanager-extension': () => import('@jupyterlab/docmanager-extension'),
  '@jupyterlab/documentsearch-extension': () => import('@jupyterlab/documentsearch-extension'),
  '@jupyterlab/filebrowser-extension': () => import('@jupyterlab/filebrowser-extension'),
  '@jupyterlab/fileeditor-extension': () => import('@jupyterlab/fileeditor-extension'),
  '@jupyterlab/help-extension': () => import('@jupyterlab/help-extension'),
  '@jupyterlab/htmlviewer-extension': () => import('@jupyterlab/htmlviewer-extension'),
  '@jupyterlab/imageviewer-extension': () => import('@jupyterlab/imageviewer-extension'),
  '@jupyterlab/inspector-extension': () => import('@jupyterlab/inspector-extension'),
  '@jupyterlab/launcher-extension': () => import('@jupyterlab/launcher-extension'),
  '@jupyterlab/logconsole-extension': () => import('@jupyterlab/logconsole-extension'),
  '@jupyterlab/lsp-extension': () => import('@jupyterlab/lsp-extension'),
  '@jupyterlab/mainmenu-extension': () => import('@jupyterlab/mainmenu-extension'),
  '@jupyterlab/markdownviewer-extension': () => import('@jupyterlab/markdownviewer-extension'),
  '@jupyterlab/markedparser-extension': () => import('@jupyterlab/markedparser-extension'),
  '@jupyterlab/metadataform-extension': () => import('@jupyterlab/metadataform-extension'),
  '@jupyterlab/notebook-extension': () => import('@jupyterlab/notebook-extension'),
  '@jupyterlab/pluginmanager-extension': () => import('@jupyterlab/pluginmanager-extension'),
  '@jupyterlab/rendermime-extension': () => import('@jupyterlab/rendermime-extension'),
  '@jupyterlab/running-extension': () => import('@jupyterlab/running-extension'),
  '@jupyterlab/services-extension': () => import('@jupyterlab/services-extension'),
  '@jupyterlab/settingeditor-extension': () => import('@jupyterlab/settingeditor-extension'),
  '@jupyterlab/shortcuts-extension': () => import('@jupyterlab/shortcuts-extension'),
  '@jupyterlab/statusbar-extension': () => import('@jupyterlab/statusbar-extension'),
  '@jupyterlab/terminal-extension': () => import('@jupyterlab/terminal-extension'),
  '@jupyterlab/theme-dark-extension': () => import('@jupyterlab/theme-dark-extension'),
  '@jupyterlab/theme-light-extension': () => import('@jupyterlab/theme-light-extension'),
  '@jupyterlab/toc-extension': () => import('@jupyterlab/toc-extension'),
  '@jupyterlab/tooltip-extension': () => import('@jupyterlab/tooltip-extension'),
  '@jupyterlab/translation-extension': () => import('@jupyterlab/translation-extension'),
  '@jupyterlab/ui-components-extension': () => import('@jupyterlab/ui-components-extension'),
  '@jupyterlab/workspaces-extension': () => import('@jupyterlab/workspaces-extension'),
};
const CORE_MIME = {
  '@jupyterlab/javascript-extension': () => import('@jupyterlab/javascript-extension'),
  '@jupyterlab/json-extension': () => import('@jupyterlab/json-extension'),
};

export async function main() {
  const federated = PageConfig.getOption('federated_extensions');
  const extensions = federated ? JSON.parse(federated) : [];
  const extensionPromises = [];
  const mimePromises = [];
  const stylePromises = [];
  for (const data of extensions) {
    if (PageConfig.Extension.isDisabled(data.name)) continue;
    if (data.extension) extensionPromises.push(createModule(data.name, data.extension));
    if (data.mimeExtension) mimePromises.push(createModule(data.name, data.mimeExtension));
    if (data.style) stylePromises.push(createModule(data.name, data.style));
  }

  const register = [];
  for (const load of Object.values(CORE)) register.push(...activePlugins(await load()));
  const mimeExtensions = [];
  for (const load of Object.values(CORE_MIME)) mimeExtensions.push(...activePlugins(await load()));

  for (const result of await Promise.allSettled(mimePromises)) {
    if (result.status === 'fulfilled') mimeExtensions.push(...activePlugins(result.value));
    else console.error(result.reason);
  }
  for (const result of await Promise.allSettled(extensionPromises)) {
    if (result.status === 'fulfilled') register.push(...activePlugins(result.value));
    else console.error(result.reason);
  }
  for (const result of await Promise.allSettled(stylePromises)) {
    if (result.status === 'rejected') console.error(result.reason);
  }

  const lab = new JupyterLab({ mimeExtensions });
  lab.registerPluginModules(register);
  // The end-to-end tests reach the application (commands, shell) through this.
  window.jupyterapp = lab;
  await lab.start({ ignorePlugins: [...IGNORED], bubblingKeydown: true });
  await lab.restored;
  document.body.dataset.aiplatHost = 'ready';
}
