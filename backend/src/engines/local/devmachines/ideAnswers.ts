import http from 'node:http';

/** Whether an IDE answers `readyPath` with 200 on its Unix socket (with the headers the proxy adds). */
export function ideAnswers(socketPath: string, readyPath: string, headers: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: readyPath, headers, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
