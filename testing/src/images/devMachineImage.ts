import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL('../../../images/devmachine-local/build.sh', import.meta.url));

/**
 * Builds the local engine's dev machine image with the repo's script (mmdebstrap from Debian's
 * mirror; the agent, JupyterLab and code-server from this repo's build) and pushes it to the test
 * registry. About a minute.
 */
export async function buildDevMachineImage(ref: string): Promise<void> {
  try {
    await run('bash', [BUILD, `--tag=${ref}`, '--push', '--tls-verify=false'], {
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`building ${ref} failed: ${`${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n')}`);
  }
}
