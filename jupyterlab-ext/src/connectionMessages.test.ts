import { readFileSync } from 'node:fs';
import { ApiError, type ServerInfo } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { describe, expect, it } from 'vitest';
import { describeConnectionState, describeContainerRuntime } from './connectionMessages.js';

const catalog = JSON.parse(
  readFileSync(new URL('../locale/zh_CN/LC_MESSAGES/aiplat_jupyterlab_ext.json', import.meta.url), 'utf8'),
) as Record<string, string[]>;

/** `trans.__` as JupyterLab's gettext does it, over the zh_CN catalog: `%1`… are the arguments. */
const zhCN = {
  __: (msgid: string, ...args: unknown[]) =>
    (catalog[msgid]?.[0] ?? msgid).replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1])),
} as unknown as TranslationBundle;

const info: ServerInfo = {
  apiVersion: '1.0',
  serverVersion: '0.1.0',
  user: 'alice',
  engine: 'local',
  roots: [],
  limits: { maxUploadBytes: 1 },
  containerRuntime: { kind: 'podman', version: '4.3.1' },
};
const serverUrl = 'http://127.0.0.1:8080';

describe('describeConnectionState in Chinese', () => {
  it('says nothing while disconnected or connecting', () => {
    expect(describeConnectionState({ status: 'disconnected' }, zhCN, undefined)).toBeUndefined();
    expect(describeConnectionState({ status: 'connecting', serverUrl }, zhCN, undefined)).toBeUndefined();
  });

  it('describes each outcome', () => {
    expect(describeConnectionState({ status: 'connected', serverUrl, info }, zhCN, undefined)).toEqual({
      severity: 'success',
      text: '已连接到 http://127.0.0.1:8080，用户 alice（服务器 0.1.0，API 1.0）。',
    });
    const mismatch = new ApiError('version_mismatch', 'the server speaks API 2.0');
    expect(
      describeConnectionState({ status: 'version-mismatch', serverUrl, error: mismatch }, zhCN, undefined)?.text,
    ).toBe(
      'http://127.0.0.1:8080 上的服务器使用不兼容的 API 版本（本扩展使用 API 1.0）。请更新扩展或服务器。详细信息：the server speaks API 2.0',
    );
    const unauthorized = new ApiError('unauthorized', 'no');
    expect(describeConnectionState({ status: 'error', serverUrl, error: unauthorized }, zhCN, 'rejected')?.text).toBe(
      'http://127.0.0.1:8080 上的服务器拒绝了访问令牌。',
    );
    const network = new ApiError('network', 'ECONNREFUSED');
    expect(describeConnectionState({ status: 'error', serverUrl, error: network }, zhCN, undefined)?.severity).toBe(
      'error',
    );
  });

  it('says a token is needed when none was sent, and that it was rejected only when one was', () => {
    const unauthorized = { status: 'error', serverUrl, error: new ApiError('unauthorized', 'no') } as const;
    expect(describeConnectionState(unauthorized, zhCN, 'missing')).toEqual({
      severity: 'error',
      text: 'http://127.0.0.1:8080 上的服务器需要访问令牌。',
    });
    expect(describeConnectionState(unauthorized, zhCN, 'rejected')?.text).toContain('拒绝');
    expect(describeConnectionState(unauthorized, zhCN, 'missing')?.text).not.toContain('拒绝');
  });
});

describe('describeContainerRuntime in Chinese', () => {
  it('names the runtime and its version, or says dev machines run as processes and why', () => {
    expect(describeContainerRuntime(info.containerRuntime, zhCN).text).toBe('容器：Podman 4.3.1');
    expect(describeContainerRuntime({ kind: 'docker', version: '27.1.0' }, zhCN).text).toBe('容器：Docker 27.1.0');
    const none = describeContainerRuntime({ kind: 'none', reason: 'no container runtime: install podman' }, zhCN);
    expect(none).toEqual({ text: '容器：无 — 开发机以进程方式运行', title: 'no container runtime: install podman' });
  });
});
