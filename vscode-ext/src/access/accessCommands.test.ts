import { generateKeyPairSync } from 'node:crypto';
import type { DevMachine } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake, Uri } from '../test/vscodeFake.js';
import { REMOTE_SSH_EXTENSION, remoteSshAuthority } from './devMachineSsh.js';
import { suggestedKeyName } from './accessInput.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension();

/** A fresh ed25519 public key line, as in id_ed25519.pub. */
function ed25519Line(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const part = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([part(Buffer.from('ssh-ed25519')), part(raw)]).toString('base64')} ${comment}`;
}

const PRIVATE =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n';

/** A file the next open dialog answers with. */
function pickFile(path: string, text: string): void {
  const uri = Uri.file(path);
  fake.files.set(uri.toString(), text);
  fake.openDialogAnswers.push([uri]);
}

const SSH = {
  host: 'dev.example.com',
  port: 2222,
  user: 'alice',
  command: 'ssh -p 2222 alice@dev.example.com',
  hostKeyFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  hostKeyType: 'ssh-ed25519',
};

describe('SSH keys and Git credentials against the real backend', () => {
  it('adds SSH keys pasted and from a .pub file, refuses a private key, removes one after asking', async () => {
    const api = live.backend.client();
    const laptop = ed25519Line('alice@laptop');
    fake.quickPickAnswers.push('Paste the Public Key…');
    fake.inputBoxAnswers.push(laptop, 'laptop');
    await commands.executeCommand(CommandIds.addSshKey);
    const [pasteBox, nameBox] = fake.inputBoxes;
    // Checked as typed, by the contract's rule.
    expect(pasteBox?.validateInput?.('ssh-dss AAAAB3NzaC1kc3M=')).toMatch(/unsupported key type/);
    expect(pasteBox?.validateInput?.(PRIVATE)).toMatch(/one line|private key/);
    expect(pasteBox?.validateInput?.(laptop)).toBeUndefined();
    expect(nameBox?.value).toBe('alice-laptop');
    expect(fake.messages.at(-1)?.text).toMatch(/^Added the SSH key laptop \(SHA256:\S+\)\./);

    const work = ed25519Line('work');
    fake.quickPickAnswers.push('Choose a .pub File…');
    pickFile('/home/alice/.ssh/id_ed25519.pub', `${work}\n`);
    fake.inputBoxAnswers.push('work');
    await commands.executeCommand(CommandIds.addSshKey);
    expect(fake.openDialogs.at(-1)).toMatchObject({ filters: { 'SSH public keys': ['pub'] } });
    expect(fake.openDialogs.at(-1)?.defaultUri?.path).toMatch(/\/\.ssh$/);
    expect((await api.listSshKeys()).sshKeys.map((key) => [key.name, key.publicKey]).sort()).toEqual([
      ['laptop', laptop],
      ['work', work],
    ]);

    // The private key picked by mistake: refused here, nothing sent.
    fake.quickPickAnswers.push('Choose a .pub File…');
    pickFile('/home/alice/.ssh/id_ed25519', PRIVATE);
    await commands.executeCommand(CommandIds.addSshKey);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error', text: /^This is not a public key to add: / });
    expect((await api.listSshKeys()).sshKeys).toHaveLength(2);

    fake.quickPickAnswers.push('work');
    fake.messageAnswers.push('Remove');
    await commands.executeCommand(CommandIds.removeSshKey);
    expect(fake.quickPicks.at(-1)?.labels.sort()).toEqual(['laptop', 'work']);
    expect((await api.listSshKeys()).sshKeys.map((key) => key.name)).toEqual(['laptop']);
    expect(suggestedKeyName('alice@laptop', ['alice-laptop'])).toBe('alice-laptop-2');
    expect(suggestedKeyName('', [])).toBe('my-key');
  });

  it('adds a token credential (a password box) and a key credential; keeps one a machine names; deletes the other', async () => {
    const api = live.backend.client();
    fake.inputBoxAnswers.push('github');
    fake.quickPickAnswers.push('Username and Token');
    fake.inputBoxAnswers.push('alice', 'ghp_secret');
    await commands.executeCommand(CommandIds.addGitCredential);
    expect(fake.inputBoxes.at(-1)).toMatchObject({ password: true });
    expect(fake.inputBoxes.at(-1)?.validateInput?.('two\nlines')).toMatch(/one line/);
    expect(fake.inputBoxes.at(-2)?.validateInput?.('a b')).toMatch(/spaces/);

    fake.inputBoxAnswers.push('deploy');
    fake.quickPickAnswers.push('SSH Private Key');
    pickFile('/home/alice/.ssh/deploy_ed25519', PRIVATE);
    await commands.executeCommand(CommandIds.addGitCredential);
    expect(fake.inputBoxes.at(-1)?.validateInput?.('github')).toBe('You have one named github already.');
    const listed = (await api.listGitCredentials()).gitCredentials;
    expect(listed.map((c) => [c.name, c.kind, c.username])).toEqual(
      expect.arrayContaining([
        ['github', 'token', 'alice'],
        ['deploy', 'ssh-key', undefined],
      ]),
    );

    // Named by a machine's repository: the server refuses, and says which.
    const machine = await api.createDevMachine({
      body: {
        spec: {
          name: 'cloner',
          ides: ['jupyterlab'],
          resources: { cpu: 1, memory: '1Gi' },
          repositories: [{ url: 'https://github.com/org/model.git', credential: 'github' }],
        },
        start: false,
      },
    });
    fake.quickPickAnswers.push('github');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteGitCredential);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error', text: /^github was not deleted\. .*cloner/ });

    fake.quickPickAnswers.push('deploy');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteGitCredential);
    expect((await api.listGitCredentials()).gitCredentials.map((c) => c.name)).toEqual(['github']);

    await api.stopDevMachine({ params: { id: machine.id }, body: { force: true } });
    await vi.waitFor(
      async () => expect((await api.getDevMachine({ params: { id: machine.id } })).state).toBe('Stopped'),
      { timeout: 30_000, interval: 100 },
    );
    await api.deleteDevMachine({ params: { id: machine.id } });
  });

  it('creates a dev machine with SSH and a private repository through the guided flow', async () => {
    const api = live.backend.client();
    await api.createGitCredential({ body: { kind: 'token', name: 'gitlab', username: 'alice', token: 't' } });
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'Yes', 'gitlab');
    fake.inputBoxAnswers.push('ssh-box', '0.5', '1Gi', '', 'default', 'home', '', '');
    fake.inputBoxAnswers.push('https://gitlab.example.com/org/model.git', 'main', '');
    await commands.executeCommand(CommandIds.createDevMachine);
    const created = (await api.listDevMachines()).devMachines.find((m) => m.spec.name === 'ssh-box');
    expect(created?.spec.ssh).toEqual({ enabled: true });
    expect(created?.spec.repositories).toEqual([
      { url: 'https://gitlab.example.com/org/model.git', branch: 'main', credential: 'gitlab' },
    ]);

    // Not running yet (or not with its SSH server up): Copy SSH Command says why.
    await commands.executeCommand(CommandIds.copyDevMachineSshCommand, {
      kind: 'machine',
      machine: { ...created!, state: 'Stopped', ssh: undefined },
    });
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'warning',
      text: /is Stopped: SSH is there while it runs\.$/,
    });

    await api.stopDevMachine({ params: { id: created!.id }, body: { force: true } });
    await vi.waitFor(
      async () => expect((await api.getDevMachine({ params: { id: created!.id } })).state).toBe('Stopped'),
      { timeout: 60_000, interval: 100 },
    );
    await api.deleteDevMachine({ params: { id: created!.id } });
  });

  it('copies the SSH command of a running machine, shows its host key, and opens it in Remote-SSH when installed', async () => {
    const running = (await live.backend.client().createDevMachine({
      body: {
        spec: { name: 'reached', ides: ['jupyterlab'], resources: { cpu: 1, memory: '1Gi' }, ssh: { enabled: true } },
        start: false,
      },
    })) as DevMachine;
    const node = { kind: 'ssh', machine: { ...running, state: 'Running', ssh: SSH } };

    await commands.executeCommand(CommandIds.copyDevMachineSshCommand, node);
    expect(fake.clipboard).toBe(SSH.command);
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'info',
      text: `Copied: ${SSH.command}. The host key of reached is ssh-ed25519 ${SSH.hostKeyFingerprint}: ssh shows it at the first connection, it must be the same.`,
      items: [],
    });

    fake.installedExtensions.add(REMOTE_SSH_EXTENSION);
    fake.messageAnswers.push('Open in Remote-SSH');
    await commands.executeCommand(CommandIds.copyDevMachineSshCommand, node);
    const opened = fake.executed.find((call) => call.command === 'vscode.newWindow');
    expect(opened?.args).toEqual([{ remoteAuthority: remoteSshAuthority(SSH) }]);
    const hex = remoteSshAuthority(SSH).slice('ssh-remote+'.length);
    expect(JSON.parse(Buffer.from(hex, 'hex').toString('utf8'))).toEqual({
      hostName: 'dev.example.com',
      user: 'alice',
      port: 2222,
    });

    // From the palette: only running machines with SSH are offered.
    fake.clipboard = '';
    await commands.executeCommand(CommandIds.copyDevMachineSshCommand);
    expect(fake.messages.at(-1)?.text).toBe('No dev machine to choose from.');
  });
});
