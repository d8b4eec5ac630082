import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, TabPanel, type Widget } from '@lumino/widgets';
import { aiplatIcon } from '../icons.js';
import type { IConnectionModel } from '../tokens.js';
import { ConnectionBar } from './connectionBar.js';

export const SIDEBAR_ID = 'aiplat-sidebar';

export interface SidebarOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  onConnect: () => void;
  /** The sections, in tab order; later capabilities (TensorBoard, images, services) add theirs. */
  sections: { id: string; label: string; widget: Widget }[];
}

/** The left-sidebar panel: the connection line above one tab per section. */
export function createSidebar(options: SidebarOptions): Panel {
  const panel = new Panel();
  panel.id = SIDEBAR_ID;
  panel.addClass('aiplat-sidebar');
  panel.title.icon = aiplatIcon;
  panel.title.caption = options.trans.__('AI Platform');
  panel.addWidget(new ConnectionBar(options));
  const tabs = new TabPanel();
  tabs.addClass('aiplat-sidebar-tabs');
  for (const section of options.sections) {
    section.widget.title.label = section.label;
    // A narrow sidebar cuts the tab's label: the tooltip tells it whole.
    section.widget.title.caption = section.label;
    section.widget.id ||= `aiplat-section-${section.id}`;
    section.widget.node.dataset.testid ??= `aiplat-section-${section.id}`;
    tabs.addWidget(section.widget);
  }
  panel.addWidget(tabs);
  return panel;
}

/** Brings one section of the sidebar (a widget given in `sections`) to the front. */
export function showSection(sidebar: Panel, section: Widget): void {
  for (const child of sidebar.widgets) {
    if (child instanceof TabPanel && child.widgets.includes(section)) child.currentWidget = section;
  }
}
