import http from 'node:http';
import type { EngineIdleSample, IdeEndpoint } from '../engine.js';

/*
 * The IDEs' own activity for idle policies, read the way the platform's proxy reaches them (a
 * socket or a Service, with their secret header): the same on every engine.
 */

/** GET of JSON from an IDE over its socket (its secret header added), or undefined when it does not answer. */
function ideJson(endpoint: IdeEndpoint, path: string): Promise<unknown> {
  return new Promise((resolve) => {
    const target =
      'socketPath' in endpoint.target ? endpoint.target : { host: endpoint.target.host, port: endpoint.target.port };
    const request = http.get({ ...target, path, headers: endpoint.headers, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Kernels (busy, connected) and terminals from JupyterLab's API, code-server's last heartbeat from its /healthz. */
export async function ideActivity(
  lab: IdeEndpoint | undefined,
  code: IdeEndpoint | undefined,
): Promise<Pick<EngineIdleSample, 'kernels' | 'terminals' | 'codeServerHeartbeat'>> {
  const [kernels, terminals, health] = await Promise.all([
    lab ? ideJson(lab, `${lab.prefix}api/kernels`) : undefined,
    lab ? ideJson(lab, `${lab.prefix}api/terminals`) : undefined,
    code ? ideJson(code, '/healthz') : undefined,
  ]);
  const kernelList = Array.isArray(kernels) ? (kernels as { execution_state?: string; connections?: number }[]) : [];
  const heartbeat = (health as { lastHeartbeat?: number } | undefined)?.lastHeartbeat;
  return {
    kernels: {
      busy: kernelList.filter((kernel) => kernel.execution_state === 'busy').length,
      connected: kernelList.filter((kernel) => (kernel.connections ?? 0) > 0).length,
    },
    terminals: Array.isArray(terminals) ? terminals.length : 0,
    ...(heartbeat ? { codeServerHeartbeat: heartbeat } : {}),
  };
}
