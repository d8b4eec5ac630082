import { describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake, TreeItemCollapsibleState, Uri } from '../test/vscodeFake.js';
import { WorkspaceModel } from './workspaceModel.js';
import { WorkspaceTreeProvider, type WorkspaceNode } from './workspaceTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension(async (backend) => {
  for (let i = 0; i < 5; i++) await backend.writeFile(`home/${backend.user}/big/f${i}.txt`, `file ${i}\n`);
  await backend.writeFile(`home/${backend.user}/notes.md`, '# Notes\nhello from /work\n');
  await backend.writeFile(`home/${backend.user}/sizes/weights.bin`, Buffer.alloc(60928));
});

const labels = (tree: WorkspaceTreeProvider, nodes: WorkspaceNode[]) => nodes.map((n) => tree.getTreeItem(n).label);

describe('Workspace view against the real backend', () => {
  it('shows the roots, then Datasets and Models from the catalog', async () => {
    const tree = live.extension.workspaceTree;
    const top = await tree.getChildren();
    expect(labels(tree, top)).toEqual(['/work/home', '/work/cache', '/work/mount', 'Datasets', 'Models']);
    expect(tree.getTreeItem(top[0]!).collapsibleState).toBe(TreeItemCollapsibleState.Collapsed);

    const datasets = await tree.getChildren(top[3]);
    expect(labels(tree, datasets)).toEqual(expect.arrayContaining(['alpaca-zh-mini', 'iris']));
    const models = await tree.getChildren(top[4]);
    expect(labels(tree, models)).toContain('tiny-gpt2');
    const model = tree.getTreeItem(models.find((n) => tree.getTreeItem(n).label === 'tiny-gpt2')!);
    expect(model.contextValue).toBe('aiplat.model');
    expect(model.command?.command).toBe(CommandIds.openPreview);
  });

  it('answers the first request made while connecting with the roots, once connected (not an empty view and no second read)', async () => {
    let connected = false;
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const model = new WorkspaceModel({
      client: () => (connected ? live.backend.client() : undefined),
      roots: () => [{ name: 'home', displayPath: '/work/home', writable: true }],
      settled: () => settled,
    });
    const tree = new WorkspaceTreeProvider(model);
    const refreshes: (WorkspaceNode | undefined)[] = [];
    tree.onDidChangeTreeData((node) => refreshes.push(node));
    const top = tree.getChildren();
    connected = true;
    // What the extension does when the connection is made: the waiting request is the fresh answer.
    tree.refresh();
    settle();
    expect(labels(tree, await top)).toEqual(['/work/home', 'Datasets', 'Models']);
    expect(refreshes).toEqual([]);
    // Once answered, a refresh asks VS Code to read the tree again.
    tree.refresh();
    expect(refreshes).toEqual([undefined]);
  });

  it('lists a folder lazily, a page at a time, with a Load more item', async () => {
    const connection = { client: () => live.backend.client() };
    const model = new WorkspaceModel({
      client: connection.client,
      roots: () => [{ name: 'home', displayPath: '/work/home', writable: true }],
      pageSize: 2,
    });
    const tree = new WorkspaceTreeProvider(model);
    let changes = 0;
    tree.onDidChangeTreeData(() => changes++);
    const [home] = await tree.getChildren();
    const homeChildren = await tree.getChildren(home);
    const big = homeChildren.find((n) => n.kind === 'entry' && n.entry.name === 'big')!;
    expect(tree.getTreeItem(big).collapsibleState).toBe(TreeItemCollapsibleState.Collapsed);

    let page = await tree.getChildren(big);
    expect(labels(tree, page)).toEqual(['f0.txt', 'f1.txt', 'Load more… (2 of 5)']);
    const more = tree.getTreeItem(page[2]!);
    expect(more.command?.command).toBe(CommandIds.loadMore);
    expect(more.command?.arguments).toEqual([{ view: 'workspace', folder: 'home/big' }]);

    await tree.loadMore('home/big');
    page = await tree.getChildren(big);
    expect(labels(tree, page)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'Load more… (4 of 5)']);
    await tree.loadMore('home/big');
    expect(labels(tree, await tree.getChildren(big))).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
    expect(changes).toBe(2);

    const file = tree.getTreeItem(page[0]!);
    expect(file.contextValue).toBe('aiplat.file');
    expect(file.command).toMatchObject({ command: CommandIds.openPreview, arguments: ['home/big/f0.txt'] });
    tree.dispose();
  });

  it('prints a file size in binary units, as the JupyterLab view does', async () => {
    const model = new WorkspaceModel({
      client: () => live.backend.client(),
      roots: () => [{ name: 'home', displayPath: '/work/home', writable: true }],
    });
    const tree = new WorkspaceTreeProvider(model);
    const sizes: WorkspaceNode = {
      kind: 'entry',
      entry: { name: 'sizes', path: 'home/sizes', type: 'directory', size: 0, mtime: '', writable: true },
    };
    const [weights] = await tree.getChildren(sizes);
    expect(tree.getTreeItem(weights!).label).toBe('weights.bin');
    expect(tree.getTreeItem(weights!).description).toBe('59.5 KiB');
    tree.dispose();
  });

  it('shows an error as an item instead of failing', async () => {
    const model = new WorkspaceModel({
      client: () => live.backend.client(),
      roots: () => [{ name: 'home', displayPath: '/work/home', writable: true }],
    });
    const tree = new WorkspaceTreeProvider(model);
    const missing: WorkspaceNode = {
      kind: 'entry',
      entry: { name: 'gone', path: 'home/gone', type: 'directory', size: 0, mtime: '', writable: true },
    };
    const children = await tree.getChildren(missing);
    expect(children).toHaveLength(1);
    expect(children[0]?.kind).toBe('message');
    expect(String(tree.getTreeItem(children[0]!).label)).toMatch(/^Not found: /);
  });
});

describe('previews', () => {
  it('opens a text file read-only in an editor through the aiplat-work: scheme', async () => {
    await commands.executeCommand(CommandIds.openPreview, 'home/notes.md');
    expect(fake.openedDocuments.at(-1)).toEqual({ uri: 'aiplat-work:/home/notes.md' });
    expect(fake.shownDocuments.at(-1)).toBe('aiplat-work:/home/notes.md');
    const provider = fake.contentProviders.get('aiplat-work')!;
    expect(await provider.provideTextDocumentContent(Uri.from({ scheme: 'aiplat-work', path: '/home/notes.md' }))).toBe(
      '# Notes\nhello from /work\n',
    );
  });

  it('shows CSV, JSONL and a model summary in a preview webview whose only script saves its path', async () => {
    await commands.executeCommand(CommandIds.openPreview, 'mount/datasets/iris/iris.csv');
    const csv = fake.webviewPanels.at(-1)!;
    expect(csv.viewType).toBe('aiplat.preview');
    expect(csv.options).toMatchObject({ localResourceRoots: [] });
    expect(csv.webview.html).toContain("default-src 'none'");
    expect(csv.webview.html).toMatch(/script-src 'nonce-[\w-]+'/);
    // One inline script, carrying the page's nonce: it keeps the path for restoring after a reload.
    expect(csv.webview.html.match(/<script\b[^>]*>[^<]*<\/script>/g)).toEqual([
      expect.stringMatching(
        /^<script nonce="[\w-]+">acquireVsCodeApi\(\)\.setState\(\{"path":"mount\/datasets\/iris\/iris\.csv"\}\);<\/script>$/,
      ),
    ]);
    expect(csv.webview.html).toMatch(/<th>sepal_length<\/th>/);

    await commands.executeCommand(CommandIds.openPreview, 'mount/datasets/alpaca-zh-mini/train.jsonl');
    expect(fake.webviewPanels.at(-1)!.webview.html).toMatch(/<th>instruction<\/th>/);

    await commands.executeCommand(CommandIds.openPreview, 'mount/models/tiny-gpt2');
    const modelHtml = fake.webviewPanels.at(-1)!.webview.html;
    expect(modelHtml).toContain('<td>Parameters</td>');
    expect(modelHtml).toContain('GPT2');

    // The same path again reveals its panel.
    const count = fake.webviewPanels.length;
    await commands.executeCommand(CommandIds.openPreview, 'mount/datasets/iris/iris.csv');
    expect(fake.webviewPanels).toHaveLength(count);
    expect(csv.revealed).toBe(1);
  });

  it('shows an image inline as a data: URI (the webview never sees the token)', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    await live.backend.writeFile(`home/${live.backend.user}/dot.png`, png);
    await commands.executeCommand(CommandIds.openPreview, 'home/dot.png');
    const html = fake.webviewPanels.at(-1)!.webview.html;
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).toContain('img-src vscode-webview://fake data:');
  });

  it('says how big a binary file is, in binary units', async () => {
    await commands.executeCommand(CommandIds.openPreview, 'home/sizes/weights.bin');
    expect(fake.webviewPanels.at(-1)!.webview.html).toContain('59.5 KiB');
  });

  it('says when a path cannot be previewed', async () => {
    await commands.executeCommand(CommandIds.openPreview, 'home/nope.txt');
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error' });
    expect(fake.messages.at(-1)?.text).toMatch(/^Cannot preview \/work\/home\/nope.txt: Not found/);
  });

  it('lists an expanded folder again when a job writes into it (the files topic), and stops following it when collapsed', async () => {
    const tree = live.extension.workspaceTree;
    const [home] = await tree.getChildren();
    await tree.getChildren(home);
    const fired: (WorkspaceNode | undefined)[] = [];
    const listening = tree.onDidChangeTreeData((node) => fired.push(node));
    try {
      tree.expanded(home!);
      expect(tree.watchedFolders).toEqual(['home']);
      // The subscription is made over the socket before anything is written.
      await new Promise((r) => setTimeout(r, 300));
      await live.backend.writeFile(`home/${live.backend.user}/written-by-job.txt`, 'done\n');
      await vi.waitFor(() => expect(fired).toContain(home), { timeout: 5000 });
      expect(labels(tree, await tree.getChildren(home))).toContain('written-by-job.txt');
      tree.collapsed(home!);
      expect(tree.watchedFolders).toEqual([]);
    } finally {
      listening.dispose();
    }
  });
});
