import type { EventMessage } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from '../../images/test/renderMarkup.js';
import type { IConnectionModel } from '../../tokens.js';

// JupyterLab's widgets, clipboard and charts need a browser to be imported: the body renders without them.
vi.mock('../../training/views/ModelWidget.js', () => ({
  ModelWidget: class {
    constructor(readonly props: unknown) {}
    update(): void {}
  },
}));
vi.mock('./CopyButton.js', () => ({
  CopyButton: ({ testId }: { testId: string }) => <button data-testid={testId} />,
}));
vi.mock('./ServiceCharts.js', () => ({ ServiceCharts: () => null }));
vi.mock('@jupyterlab/ui-components', () => ({
  UseSignal: ({ children }: { children: () => React.ReactNode }) => children(),
}));

import { ServiceDetailModel, type ServiceTab } from '../model/serviceDetailModel.js';
import { ServiceKeysModel } from '../model/serviceKeysModel.js';
import { ServiceUpdateModel } from '../model/serviceUpdateModel.js';
import { tinyService } from '../test/serviceFixture.js';
import { ServiceDetailBody, ServiceDetailView, type ServiceDetailProps } from './ServiceDetail.js';

const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])),
} as unknown as TranslationBundle;

/** `tiny`, Running with one ready replica, limits of its own, and a readiness probe with an initial delay and a timeout. */
const service = () =>
  tinyService(
    {
      auth: ['token'],
      limits: { qpsPerReplica: 100, concurrencyPerReplica: 16, maxBodyBytes: 1024 * 1024, upstreamTimeoutSeconds: 60 },
      replicas: [{ index: 0, version: 1, state: 'Ready', restarts: 0 }],
    },
    {
      probes: {
        readiness: {
          type: 'http',
          path: '/ready',
          initialDelaySeconds: 15,
          periodSeconds: 2,
          timeoutSeconds: 5,
          failureThreshold: 3,
        },
      },
    },
  );

/** A connected server that knows `tiny`, with a socket the test speaks on (`services/tiny`). */
function fakeServer() {
  const handlers = new Map<string, (event: EventMessage) => void>();
  const connection = {
    state: { status: 'connected', info: { engine: 'local' } },
    stateChanged: new Signal<unknown, unknown>({}),
    serverUrl: 'http://server',
    client: {
      getService: () => Promise.resolve(service()),
      serviceEvents: () => Promise.resolve({ events: [] }),
      serviceMetrics: () => Promise.resolve({ points: [] }),
      serviceLogs: () => Promise.resolve({ lines: [], nextCursor: 'c0', more: false }),
      listAppKeys: () => Promise.resolve({ appKeys: [] }),
      listServiceTokens: () => Promise.resolve({ tokens: [] }),
    },
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void) => {
        handlers.set(topic, handler);
        return () => handlers.delete(topic);
      },
    },
  } as unknown as IConnectionModel;
  const deleted = () =>
    handlers.get('services/tiny')?.({
      type: 'event',
      topic: 'services/tiny',
      kind: 'services',
      data: { change: 'deleted', name: 'tiny' },
    } as EventMessage);
  return { connection, deleted };
}

/** The detail of `tiny`, loaded, at `tab`; its update form filled from the service. */
async function loaded(tab: ServiceTab) {
  const server = fakeServer();
  const model = new ServiceDetailModel(server.connection, 'tiny');
  const update = new ServiceUpdateModel(server.connection, trans, 'tiny');
  const props: ServiceDetailProps = {
    model,
    keys: new ServiceKeysModel(server.connection, 'tiny'),
    update,
    trans,
    confirm: () => Promise.resolve(true),
  };
  const view = new ServiceDetailView(props);
  model.showTab(tab);
  await model.start();
  return { server, model, update, view, render: () => renderToStaticMarkup(<ServiceDetailBody {...props} />) };
}

describe('a service’s detail', () => {
  it('shows the update form’s probes with their initial delay and timeout', async () => {
    const { render, update } = await loaded('update');
    expect(update.loaded).toBe(true);
    const html = render();
    expect(html).toMatch(/data-testid="aiplat-field-readiness-initialDelaySeconds"[^>]*value="15"/);
    expect(html).toMatch(/data-testid="aiplat-field-readiness-timeoutSeconds"[^>]*value="5"/);
    expect(html).toContain('Initial delay (s)');
    expect(html).toContain('Timeout (s)');
  });

  it('says the service was deleted and disables what acts on it, its update form sending nothing', async () => {
    const { server, model, update, render } = await loaded('update');
    // Something typed in each part: each button is ready.
    update.update({ replicas: '2', env: 'A=1', qpsPerReplica: '50' });
    const button = (html: string, part: string) =>
      new RegExp(`<button[^>]*data-testid="aiplat-service-update-${part}"[^>]*>`).exec(html)?.[0] ?? '';
    const before = render();
    expect(before).toContain('data-testid="aiplat-service-detail-stop"');
    expect(before).toContain('<fieldset class="aiplat-service-actionTab">');
    expect(before).not.toContain('aiplat-service-detail-deleted');
    for (const part of ['scale', 'version', 'settings', 'reset'])
      expect(button(before, part)).not.toContain('disabled');

    server.deleted();
    expect(model.deleted).toBe(true);
    // The view told the update form: Scale and the commands that use it send nothing now.
    expect(update.deleted).toBe(true);
    const after = render();
    expect(after).toContain('data-testid="aiplat-service-detail-deleted"');
    expect(after).toContain('tiny was deleted.');
    expect(after).toMatch(/data-testid="aiplat-service-detail-state" data-state="Deleted">Deleted</);
    expect(after).not.toContain('aiplat-service-detail-ready');
    for (const action of ['start', 'stop', 'restart']) expect(after).not.toContain(`aiplat-service-detail-${action}"`);
    // Every control of the update form and the test panel (kept while hidden) is in a disabled fieldset.
    expect(after.match(/<fieldset class="aiplat-service-actionTab" disabled="">/g)).toHaveLength(2);
    expect(after).not.toContain('<fieldset class="aiplat-service-actionTab">');
    for (const part of ['scale', 'version', 'settings', 'reset']) expect(button(after, part)).toContain('disabled=""');
    // What is typed and what the service was are still shown.
    expect(after).toMatch(/data-testid="aiplat-field-replicas"[^>]*value="2"/);
    expect(after).toContain('>python3 server.py</textarea>');
  });

  it('disables the keys tab of a deleted service', async () => {
    const { server, render } = await loaded('keys');
    expect(render()).not.toContain('<fieldset class="aiplat-service-actionTab" disabled="">');
    server.deleted();
    const html = render();
    expect(html).toContain('data-testid="aiplat-service-keys"');
    expect(html.match(/<fieldset class="aiplat-service-actionTab" disabled="">/g)).toHaveLength(2);
  });
});
