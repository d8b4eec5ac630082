/*
 * The Dev machines section alone in a page, over a real connection, for
 * lifecycleConfigs.browser.test.ts: bundled with esbuild and loaded in Chromium. What it opens in
 * "the main area" shows in the right half, one widget at a time.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { StackedPanel, Widget } from '@lumino/widgets';
import { ConnectionModel } from '../../../model/connectionModel.js';
import { createDevMachinesPanel } from '../../index.js';

const params = new URLSearchParams(location.search);
const connection = new ConnectionModel({ serverUrl: params.get('server') ?? '' });
connection.setToken(params.get('token') ?? undefined);

const format = (text: string, args: unknown[]) =>
  text.replace(/%(\d+)/g, (_, i: string) => String(args[Number(i) - 1]));
const trans = {
  __: (text: string, ...args: unknown[]) => format(text, args),
} as unknown as TranslationBundle;

const place = (widget: Widget, left: string, width: string) => {
  widget.node.style.position = 'absolute';
  widget.node.style.top = '0';
  widget.node.style.bottom = '0';
  widget.node.style.left = left;
  widget.node.style.width = width;
  widget.node.style.overflow = 'auto';
  Widget.attach(widget, document.body);
};

// Stacked: it sizes what it holds, as the MainAreaWidget's box layout needs.
const main = new StackedPanel();
main.id = 'aiplat-test-main';
const openInMain = (widget: Widget) => {
  for (const other of [...main.widgets]) if (other !== widget) other.hide();
  if (!widget.isAttached) main.addWidget(widget);
  widget.show();
};
const panel = createDevMachinesPanel({ connection, trans, openInMain });
place(panel, '0', '360px');
place(main, '370px', 'calc(100% - 380px)');
window.addEventListener('resize', () => main.fit());
void connection.connect();
