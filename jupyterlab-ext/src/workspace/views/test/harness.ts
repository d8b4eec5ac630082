/*
 * The Workspace view alone in a page, over a real connection, for workspaceView.browser.test.ts:
 * bundled with esbuild and loaded in Chromium. Opened paths and inserted text are recorded.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { ConnectionModel } from '../../../model/connectionModel.js';
import { createWorkspaceView } from '../../index.js';

const params = new URLSearchParams(location.search);
const connection = new ConnectionModel({ serverUrl: params.get('server') ?? '' });
connection.setToken(params.get('token') ?? undefined);

const format = (text: string, args: unknown[]) =>
  text.replace(/%(\d+)/g, (_, i: string) => String(args[Number(i) - 1]));
const trans = {
  __: (text: string, ...args: unknown[]) => format(text, args),
} as unknown as TranslationBundle;

const recorded = {
  opened: [] as string[],
  inserted: [] as string[],
  tensorboards: [] as string[],
  noCell: params.has('noCell'),
};
const view = createWorkspaceView({
  connection,
  trans,
  openPath: (path) => void recorded.opened.push(path),
  openTensorBoard: (path) => void recorded.tensorboards.push(path),
  insertIntoNotebook: (text) => {
    if (recorded.noCell) return false;
    recorded.inserted.push(text);
    return true;
  },
});
view.node.style.position = 'absolute';
view.node.style.inset = '0';
Widget.attach(view, document.body);
window.addEventListener('resize', () => view.update());
(window as unknown as { aiplatTest: unknown }).aiplatTest = recorded;
void connection.connect();
