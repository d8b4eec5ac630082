import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';

const save = vi.fn();
const main = { activate: vi.fn(), deactivate: vi.fn() };
vi.mock('./codeCache.js', () => ({ loadWithCodeCache: () => ({ exports: main, cache: 'none', save }) }));

const context = () =>
  ({
    subscriptions: [],
    globalStorageUri: { fsPath: '/tmp/aiplat-loader-test' },
  }) as unknown as vscode.ExtensionContext;

describe('the entry point', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.resetModules();
    save.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it('saves the code cache a second after activation, once', async () => {
    const loader = await import('./loader.js');
    const ctx = context();
    loader.activate(ctx);
    expect(main.activate).toHaveBeenCalledWith(ctx);
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(save).toHaveBeenCalledTimes(1);
    loader.deactivate();
    expect(save).toHaveBeenCalledTimes(1);
    expect(main.deactivate).toHaveBeenCalled();
  });

  it('saves it when the window closes sooner (a reload right after start still leaves a cache)', async () => {
    const loader = await import('./loader.js');
    loader.activate(context());
    loader.deactivate();
    expect(save).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(save).toHaveBeenCalledTimes(1);
  });
});
