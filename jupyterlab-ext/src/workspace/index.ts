export { createWorkspaceView, WorkspaceView, type WorkspaceViewOptions } from './views/workspaceView.js';
export { fromJupyterPath, toJupyterPath, toApiPath, toDisplayPath, opensInJupyter } from './model/paths.js';
