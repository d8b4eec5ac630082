import type { DevMachine } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from '../../images/test/renderMarkup.js';
import { DevMachineAccess } from './DevMachineAccess.js';

// JupyterLab's clipboard needs a browser to be imported: the body renders without it.
vi.mock('../../services/views/CopyButton.js', () => ({
  CopyButton: ({ testId, text }: { testId: string; text: string }) => <button data-testid={testId} value={text} />,
}));

const trans = { __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])) };

const machine = (extra: Partial<DevMachine>) =>
  ({ id: 'dm-abcdef', state: 'Running', spec: { name: 'box' }, urls: {}, ...extra }) as DevMachine;

const render = (m: DevMachine) =>
  renderToStaticMarkup(<DevMachineAccess machine={m} trans={trans as TranslationBundle} />);

describe('a dev machine’s access in its row', () => {
  it('shows nothing without SSH or repositories', () => {
    expect(render(machine({}))).toBe('');
    expect(render(machine({ repositories: [] }))).toBe('');
  });

  it('shows the ssh command to copy and the host key to expect', () => {
    const html = render(
      machine({
        ssh: {
          host: 'aiplat.example.com',
          port: 2222,
          user: 'alice',
          command: 'ssh -p 2222 alice@aiplat.example.com',
          hostKeyFingerprint: 'SHA256:abc',
          hostKeyType: 'ssh-ed25519',
        },
      }),
    );
    expect(html).toContain(
      '<code data-testid="aiplat-devmachine-ssh-command-dm-abcdef">ssh -p 2222 alice@aiplat.example.com</code>',
    );
    expect(html).toContain(
      'data-testid="aiplat-devmachine-ssh-copy-dm-abcdef" value="ssh -p 2222 alice@aiplat.example.com"',
    );
    expect(html).toContain('Host key (ssh-ed25519): SHA256:abc');
  });

  it('shows each repository cloned, or failed with git’s message', () => {
    const html = render(
      machine({
        repositories: [
          { url: 'https://h/a.git', path: 'home/a', state: 'cloned', at: '2026-12-06T06:00:00Z' },
          {
            url: 'https://h/b.git',
            path: 'home/b',
            state: 'failed',
            message: "fatal: repository 'https://h/b.git/' not found",
            at: '2026-12-06T06:00:00Z',
          },
        ],
      }),
    );
    expect(html).toContain('https://h/a.git: cloned into home/a');
    expect(html).toMatch(
      /<li data-state="failed"[^>]*>https:\/\/h\/b.git: clone failed<pre[^>]*>fatal: repository &#x27;https:\/\/h\/b.git\/&#x27; not found<\/pre>/,
    );
    expect(html).not.toContain('aiplat-devmachine-ssh-');
  });
});
