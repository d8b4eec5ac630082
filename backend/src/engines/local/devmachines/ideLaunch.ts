import path from 'node:path';
import { DEV_MACHINE_IDE_PATHS, type DevMachineIde } from '@aiplat/api';
import { shellQuote } from '../../../shell/shellQuote.js';

/** Where the IDEs' programs are on this machine (the repo's builds by default; see devMachineTools). */
export interface IdeTools {
  /** The Python that runs JupyterLab (a venv with jupyter_server and our extension installed). */
  jupyterPython: string;
  /** The JupyterLab server script (jupyterlab-host/serve.py). */
  jupyterServe: string;
  /** code-server's entry script (out/node/entry.js), run with `node`. */
  codeServerEntry: string;
  /** The Node.js that runs code-server. */
  node: string;
  /** The AI Platform extension to install into code-server: this .vsix, else the repo's build packaged. */
  vscodeExtensionVsix?: string;
  vscodeExtensionBuild: { packageScript: string; builtBundle: string };
}

export interface IdeLaunchInput {
  id: string;
  ide: DevMachineIde;
  /** This dev machine's own folder under the backend's data dir: sockets, settings, logs. */
  runtimeDir: string;
  /** Absolute: the /work root on this machine, and the folder the IDE opens. */
  workRoot: string;
  workingDir: string;
  /** The secret the proxy sends to JupyterLab; never in a URL or a log line. */
  token: string;
  /** code-server's extensions folder, shared by the dev machines of this backend. */
  extensionsDir: string;
  tools: IdeTools;
}

export interface IdeLaunch {
  /** Shell text the supervisor runs (`exec`s the IDE, so the IDE is the process it supervises). */
  command: string;
  env: Record<string, string>;
  socketPath: string;
  /** The IDE's public path prefix, `/devmachines/<id>/lab/`. */
  prefix: string;
  /** Whether the IDE expects the prefix in its request paths (JupyterLab's base_url) or not (code-server). */
  keepsPrefix: boolean;
  /** Headers the proxy adds to every request to the IDE. */
  headers: Record<string, string>;
  /** A path (as the IDE sees it) that answers 200 once it serves. */
  readyPath: string;
}

const words = (parts: readonly string[]) => parts.map(shellQuote).join(' ');

/**
 * How the local engine runs one IDE of a dev machine: on a Unix socket in its runtime folder (mode
 * 0600, so only this backend's user reaches it, and only through the proxy), with everything it
 * writes (settings, runtime files) in that folder.
 */
export function ideLaunch(input: IdeLaunchInput): IdeLaunch {
  const prefix = `/devmachines/${input.id}/${DEV_MACHINE_IDE_PATHS[input.ide]}/`;
  const home = path.join(input.runtimeDir, input.ide);
  const socketPath = path.join(input.runtimeDir, `${input.ide}.sock`);
  if (input.ide === 'jupyterlab') {
    const jupyter = (dir: string) => path.join(home, dir);
    const args = [
      input.tools.jupyterPython,
      input.tools.jupyterServe,
      `--ServerApp.sock=${socketPath}`,
      '--ServerApp.sock_mode=0600',
      `--ServerApp.base_url=${prefix}`,
      `--ServerApp.root_dir=${input.workRoot}`,
      `--ServerApp.preferred_dir=${input.workingDir}`,
      '--ServerApp.open_browser=False',
      '--ServerApp.allow_root=True',
      '--ServerApp.allow_remote_access=True',
      // Published dataset and model versions are under home/.catalog: the file browser opens them.
      '--ContentsManager.allow_hidden=True',
    ];
    return {
      // The token comes through the environment (never the command line: `ps` shows that to everyone).
      command: `exec ${words(args)} --ServerApp.token="$AIPLAT_IDE_TOKEN"`,
      env: {
        AIPLAT_IDE_TOKEN: input.token,
        JUPYTER_CONFIG_DIR: jupyter('config'),
        JUPYTER_DATA_DIR: jupyter('data'),
        JUPYTER_RUNTIME_DIR: jupyter('runtime'),
        IPYTHONDIR: jupyter('ipython'),
      },
      socketPath,
      prefix,
      keepsPrefix: true,
      headers: { authorization: `token ${input.token}` },
      readyPath: `${prefix}api/status`,
    };
  }
  const args = [
    input.tools.node,
    input.tools.codeServerEntry,
    '--socket',
    socketPath,
    '--socket-mode',
    '600',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    path.join(home, 'user-data'),
    '--extensions-dir',
    input.extensionsDir,
    input.workingDir,
  ];
  return {
    command: `exec ${words(args)}`,
    env: { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') },
    socketPath,
    prefix,
    keepsPrefix: false,
    headers: {},
    readyPath: '/healthz',
  };
}

export const IDE_NAMES: Readonly<Record<DevMachineIde, string>> = {
  jupyterlab: 'JupyterLab',
  'code-server': 'code-server',
};
