import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small dev machine image with Debian's sshd and a stand-in JupyterLab, made once per machine. */
export const TEST_SSHD_IMAGE = 'localhost/aiplat-test-sshd:1';

/**
 * Answers 200 to every request on the Unix socket the entrypoint names (`--ServerApp.sock=`), so
 * the dev machine gets Running without a real JupyterLab in the image.
 */
const FAKE_JUPYTER = `#!/usr/bin/python3
import http.server, os, socketserver, sys
sock = next(a.split('=', 1)[1] for a in sys.argv if a.startswith('--ServerApp.sock='))
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'{}')
    def address_string(self):
        return 'socket'
class Server(socketserver.UnixStreamServer):
    def get_request(self):
        request, _ = super().get_request(); return request, ('socket', 0)
if os.path.exists(sock): os.unlink(sock)
Server(sock, Ok).serve_forever()
`;

/**
 * Builds the image with mmdebstrap (Debian's mirror only: bash, python3, openssh-server) and imports
 * it into Podman, unless it is there already. A minute or two the first time.
 */
export async function ensureSshdImage(): Promise<string> {
  const exists = await run('podman', ['image', 'exists', TEST_SSHD_IMAGE]).then(
    () => true,
    () => false,
  );
  if (exists) return TEST_SSHD_IMAGE;
  const work = await mkdtemp(path.join(os.tmpdir(), 'aiplat-sshd-image-'));
  try {
    const fake = path.join(work, 'fake-jupyter');
    await writeFile(fake, FAKE_JUPYTER, { mode: 0o755 });
    await run(
      'mmdebstrap',
      [
        '--variant=minbase',
        '--include=bash,procps,python3,openssh-server',
        `--customize-hook=install -D -m 755 '${fake}' "$1/opt/fake/jupyter"`,
        'bookworm',
        path.join(work, 'rootfs.tar'),
      ],
      { maxBuffer: 64 << 20 },
    );
    await run('podman', [
      'import',
      '--change',
      'ENV AIPLAT_JUPYTER=/opt/fake/jupyter',
      '--change',
      'CMD ["/bin/bash"]',
      path.join(work, 'rootfs.tar'),
      TEST_SSHD_IMAGE,
    ]);
    return TEST_SSHD_IMAGE;
  } catch (error) {
    const { stderr = '' } = error as { stderr?: string };
    throw new Error(`building ${TEST_SSHD_IMAGE} failed: ${stderr.trim().split('\n').slice(-10).join('\n')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The same image without sshd, as an image without openssh-server looks to the entrypoint. */
export const TEST_NO_SSHD_IMAGE = 'localhost/aiplat-test-no-sshd:1';

export async function ensureNoSshdImage(): Promise<string> {
  const exists = await run('podman', ['image', 'exists', TEST_NO_SSHD_IMAGE]).then(
    () => true,
    () => false,
  );
  if (exists) return TEST_NO_SSHD_IMAGE;
  const base = await ensureSshdImage();
  const name = `aiplat-no-sshd-${process.pid}`;
  try {
    await run('podman', ['run', '--name', name, '--entrypoint', 'rm', base, '/usr/sbin/sshd']);
    await run('podman', ['commit', name, TEST_NO_SSHD_IMAGE]);
  } finally {
    await run('podman', ['rm', '-f', '--ignore', name]).catch(() => {});
  }
  return TEST_NO_SSHD_IMAGE;
}
