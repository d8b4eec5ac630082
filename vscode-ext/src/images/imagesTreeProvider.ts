import type { ApiClient, Image, ImageSource } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../connection/errorMessage.js';
import { liveListRoots } from '../model/liveListModel.js';
import { ModelTreeProvider } from '../views/modelTreeProvider.js';
import { imageContextValue, imageDescription, imageSourceLabel, imageTooltip } from './imagePresentation.js';
import { groupImages, type ImagesModel } from './imagesModel.js';

export type ImageNode =
  | { kind: 'group'; source: ImageSource; images: Image[] }
  | { kind: 'image'; image: Image }
  | { kind: 'message'; text: string };

/**
 * The Images view: the user's images grouped by source (saved by them, shared with them, the
 * platform's presets), each with its size and layers when known. Hovering an image reads its
 * details from the registry (size, layers, history) for the tooltip.
 */
export class ImagesTreeProvider extends ModelTreeProvider<ImageNode> {
  constructor(
    private readonly model: ImagesModel,
    private readonly client: () => ApiClient | undefined,
  ) {
    super((listener) => model.onDidChange(listener));
  }

  getChildren(node?: ImageNode): ImageNode[] {
    if (!node) {
      const roots = liveListRoots<Image, ImageNode>(this.model, {
        item: (image) => ({ kind: 'image', image }),
        message: (text) => ({ kind: 'message', text }),
        describe: describeError,
        empty: vscode.l10n.t('No images yet: save a running dev machine as an image, or add a shared one'),
      });
      if (roots.some((root) => root.kind === 'message') || roots.length === 0) return roots;
      return groupImages(this.model.items).map(({ source, images }) => ({ kind: 'group', source, images }));
    }
    if (node.kind !== 'group') return [];
    return node.images.map((image) => ({ kind: 'image', image }));
  }

  getTreeItem(node: ImageNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(imageSourceLabel(node.source), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `images:${node.source}`;
        item.description = String(node.images.length);
        item.contextValue = 'aiplat.imageGroup';
        return item;
      }
      case 'image': {
        const { image } = node;
        const item = new vscode.TreeItem(image.ref);
        item.id = `image:${image.id}`;
        item.description = imageDescription(image);
        item.tooltip = imageTooltip(image);
        item.iconPath = new vscode.ThemeIcon(
          image.source === 'saved' ? 'package' : image.source === 'shared' ? 'live-share' : 'library',
        );
        item.contextValue = imageContextValue(image);
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text);
    }
  }

  /** On hover: the image as the registry describes it now (size, layers, history). */
  async resolveTreeItem(item: vscode.TreeItem, node: ImageNode): Promise<vscode.TreeItem> {
    const client = this.client();
    if (node.kind !== 'image' || !client) return item;
    try {
      const image = await client.getImage({ params: { id: node.image.id } });
      item.tooltip = imageTooltip(image);
      item.description = imageDescription(image);
    } catch {
      // The tooltip from the list stays; the view says nothing more on hover.
    }
    return item;
  }
}
