import type { DevMachine, DevMachineSsh, GitRepositoryStatus } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CopyButton } from '../../services/views/CopyButton.js';
import { formatTime } from '../../training/views/labels.js';

/** How to reach a running machine with SSH: the command to paste (with Copy) and the host key to expect. */
function SshAccess({ id, ssh, trans }: { id: string; ssh: DevMachineSsh; trans: TranslationBundle }) {
  return (
    <div className="aiplat-devMachine-ssh" data-testid={`aiplat-devmachine-ssh-${id}`}>
      <div className="aiplat-devMachine-sshLine">
        <code data-testid={`aiplat-devmachine-ssh-command-${id}`}>{ssh.command}</code>
        <CopyButton text={ssh.command} trans={trans} testId={`aiplat-devmachine-ssh-copy-${id}`} />
      </div>
      <div
        className="aiplat-devMachine-why"
        data-testid={`aiplat-devmachine-ssh-hostkey-${id}`}
        title={trans.__('Compare it with what ssh shows at the first connection.')}
      >
        {trans.__('Host key (%1): %2', ssh.hostKeyType, ssh.hostKeyFingerprint)}
      </div>
    </div>
  );
}

/** How the clone of each repository went: cloned into its folder, or failed with git's own message. */
function RepositoryStatuses({
  id,
  statuses,
  trans,
}: {
  id: string;
  statuses: readonly GitRepositoryStatus[];
  trans: TranslationBundle;
}) {
  return (
    <ul className="aiplat-devMachine-repositories" data-testid={`aiplat-devmachine-repositories-${id}`}>
      {statuses.map((status) => (
        <li key={status.url} data-state={status.state} title={`${status.url} · ${formatTime(status.at)}`}>
          {status.state === 'cloned'
            ? trans.__('%1: cloned into %2', status.url, status.path)
            : trans.__('%1: clone failed', status.url)}
          {status.state === 'failed' && status.message && (
            <pre className="aiplat-devMachine-gitMessage">{status.message}</pre>
          )}
        </li>
      ))}
    </ul>
  );
}

/** What a dev machine's row tells of its insides: SSH access while it runs with SSH, and its repositories' clones. */
export function DevMachineAccess({ machine, trans }: { machine: DevMachine; trans: TranslationBundle }) {
  const { id, ssh, repositories } = machine;
  if (!ssh && !repositories?.length) return null;
  return (
    <>
      {ssh && <SshAccess id={id} ssh={ssh} trans={trans} />}
      {repositories && repositories.length > 0 && <RepositoryStatuses id={id} statuses={repositories} trans={trans} />}
    </>
  );
}
