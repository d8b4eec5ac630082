import type http from 'node:http';

/** The few pages the platform itself shows browsers (login, a dev machine or TensorBoard that is not running), in English and Chinese. */
const TEXTS = {
  en: {
    linkUsed:
      'This login link has expired or was already used. Run npm start again, or ask for a new link with: aiplat dev open <name>.',
    signIn: 'Sign in first: open the login link that npm start printed, or get one with: aiplat dev open <name>.',
    notRunning: (name: string, state: string) =>
      `The dev machine ${name} is ${state}. Start it from the Dev machines view, or with: aiplat dev start ${name}.`,
    noSuchMachine: 'There is no such dev machine of yours.',
    noIde: (ide: string) => `This dev machine does not run ${ide}.`,
    noSuchTensorBoard: 'There is no such TensorBoard of yours.',
    tensorBoardNotRunning: (path: string, state: string, reason: string | undefined) =>
      `The TensorBoard of ${path} is ${state}${reason ? ` (${reason})` : ''}. Open it again from the job or the folder to start it.`,
  },
  'zh-CN': {
    linkUsed: '此登录链接已过期或已被使用。请重新运行 npm start，或通过 aiplat dev open <名称> 获取新链接。',
    signIn: '请先登录：打开 npm start 输出的登录链接，或通过 aiplat dev open <名称> 获取一个。',
    notRunning: (name: string, state: string) =>
      `开发机 ${name} 当前状态为 ${state}。请在“开发机”视图中启动，或运行：aiplat dev start ${name}。`,
    noSuchMachine: '没有属于您的此开发机。',
    noIde: (ide: string) => `此开发机未运行 ${ide}。`,
    noSuchTensorBoard: '没有属于您的此 TensorBoard。',
    tensorBoardNotRunning: (path: string, state: string, reason: string | undefined) =>
      `${path} 的 TensorBoard 当前状态为 ${state}${reason ? `（${reason}）` : ''}。请从任务或文件夹再次打开以启动它。`,
  },
} as const;

export type PageTexts = (typeof TEXTS)['en'];

/** The texts in the browser's language: Chinese when it prefers zh, English otherwise. */
export function pageTexts(req: http.IncomingMessage): PageTexts {
  const first = (req.headers['accept-language'] ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return (first.startsWith('zh') ? TEXTS['zh-CN'] : TEXTS.en) as PageTexts;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal page with one message; never cached, never sends a Referer on. */
export function sendPage(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>AI Platform</title></head>` +
      `<body style="font-family:sans-serif;margin:3em"><p>${escapeHtml(message)}</p></body></html>\n`,
  );
}
