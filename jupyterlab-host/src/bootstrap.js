// Entry of the host bundle (JupyterLab's dev_mode/bootstrap.js): load every prebuilt extension's
// remoteEntry from the labextensions URL and initialise the shared scope with them before any
// JupyterLab module is imported, so that shared singletons are deduplicated across extensions.

function getOption(name) {
  const element = document.getElementById('jupyter-config-data');
  const config = element ? JSON.parse(element.textContent) : {};
  return config[name] ?? '';
}

// eslint-disable-next-line no-undef
__webpack_public_path__ = getOption('fullStaticUrl') + '/';

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onerror = reject;
    script.onload = resolve;
    script.async = true;
    document.head.appendChild(script);
    script.src = url;
  });
}

async function loadComponent(url, scope) {
  await loadScript(url);
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[scope];
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

void (async function bootstrap() {
  const extensions = getOption('federated_extensions') || [];
  const labextensionsUrl = getOption('fullLabextensionsUrl');
  const loaded = await Promise.allSettled(
    extensions.map((data) => loadComponent(`${labextensionsUrl}/${data.name}/${data.load}`, data.name)),
  );
  for (const result of loaded) {
    if (result.status === 'rejected') console.error(result.reason);
  }
  const { main } = await import('./index.js');
  await main();
})();
