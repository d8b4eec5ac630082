import { ApiError, type ApiClient } from '@aiplat/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { commands, fake } from '../test/vscodeFake.js';
import { registerServiceCommands } from './serviceCommands.js';
import type { ServiceLogChannels } from './serviceLogChannels.js';
import type { ServicesModel } from './servicesModel.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());
afterEach(() => vi.restoreAllMocks());

const REFUSED = new ApiError('validation_failed', 'refused', {
  issues: [{ path: 'body.spec.version.model', message: 'mount/models/nope does not exist under /work' }],
});

describe('Deploy as Service refused by the server', () => {
  it('reopens the steps at the model step at once, while the refusal is still on screen', async () => {
    const deployService = vi.fn(() => Promise.reject(REFUSED));
    const client = { deployService, listImages: () => Promise.resolve({ images: [] }) } as unknown as ApiClient;
    registerServiceCommands({
      connection: { client } as unknown as ConnectionService,
      services: { apply: vi.fn() } as unknown as ServicesModel,
      logs: {} as ServiceLogChannels,
      openDetails: vi.fn(),
    });
    // The user leaves the error notification open: it never resolves.
    const errors: string[] = [];
    vi.spyOn(vscode.window, 'showErrorMessage').mockImplementation((text: string) => {
      errors.push(text);
      return new Promise(() => undefined);
    });
    fake.inputBoxAnswers.push('nope', 'mount/models/nope', '', 'python3 serve.py', '', '', '8080', '1', '1Gi', '1');
    fake.quickPickAnswers.push(
      'none',
      'None',
      'No probe',
      'When its port accepts connections',
      'No probe',
      'AppKey signatures and bearer tokens',
    );

    const deploying = commands.executeCommand(CommandIds.deployModelAsService, 'mount/models/nope');

    await vi.waitFor(() =>
      expect(fake.inputBoxes.at(-1)).toMatchObject({
        value: 'mount/models/nope',
        step: 2,
        validationMessage: 'mount/models/nope does not exist under /work',
      }),
    );
    expect(deployService).toHaveBeenCalledOnce();
    expect(errors).toEqual([expect.stringMatching(/^The service was not deployed\. .*does not exist under \/work/)]);
    await deploying; // the reopened steps cancelled: the command ends
  });
});
