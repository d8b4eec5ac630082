export { createWorkspaceView, WorkspaceView, type WorkspaceViewOptions } from './views/workspaceView.js';
export { toJupyterPath, toApiPath, toDisplayPath, opensInJupyter } from './model/paths.js';
