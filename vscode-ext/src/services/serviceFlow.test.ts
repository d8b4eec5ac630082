import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BACK_BUTTON, fake, Uri } from '../test/vscodeFake.js';
import { modelFolderOf } from './serviceCommands.js';
import { askServiceSpec, serviceStepPrompt, type ServiceStepId } from './serviceFlow.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

/** What the step's input box says of `value`: undefined when it takes it. */
function check(id: ServiceStepId, value: string): string | undefined {
  const prompt = serviceStepPrompt(id, {});
  if (prompt.kind !== 'input') throw new Error(`${id} is not typed`);
  return prompt.validate?.(value);
}

/** The typed answers from the name to the replicas: a small CPU service of mount/models/x. */
function typedUpToReplicas(name: string, command: string): string[] {
  return [name, 'mount/models/x', '', command, '', '', '8080', '1', '1Gi', '1'];
}

describe('the Deploy Service flow', () => {
  it.each<[ServiceStepId, string, RegExp]>([
    ['name', 'Bad_Name', /name/],
    ['name', 'ends-', /name/],
    ['model', '/work/mount/models/x', /relative to \/work/],
    ['code', '../etc', /code/],
    ['command', '   ', /command is empty/],
    ['environment', 'relative/env', /environment/],
    ['port', '0', /port/],
    ['port', 'http', /whole number/i],
    ['cpu', '', /cores/],
    ['cpu', 'abc', /^"abc" is not a number of cores/],
    ['acceleratorCount', 'two', /^"two" is not a number of devices/],
    ['memory', 'lots', /memory/],
    ['acceleratorCount', '1.5', /count|whole/],
    ['replicas', '17', /replicas/],
    ['replicas', '1.5', /whole number/i],
    ['readinessPath', 'health', /path/],
    ['requirementsText', '--index-url http://x', /not allowed/],
    ['livenessCommand', '  ', /command/],
    ['startupTiming', '10 0 3', /timeoutSeconds/],
    ['startupTiming', '10 1', /three or four whole numbers/i],
    ['startupTiming', '10 1 3 4000', /initialDelaySeconds/],
  ])('refuses at its step: %s = %j', (id, value, message) => {
    expect(check(id, value)).toMatch(message);
  });

  it.each<[ServiceStepId, string]>([
    ['name', 'gpt2-chat'],
    ['model', 'mount/models/tiny-gpt2'],
    ['code', ''],
    ['code', 'home/alice/serving'],
    ['environment', ''],
    ['environment', '/opt/conda/envs/torch'],
    ['image', ''],
    ['port', '8080'],
    ['cpu', '0.5'],
    ['replicas', '16'],
    ['readinessPath', '/health'],
  ])('takes a good answer: %s = %j', (id, value) => {
    expect(check(id, value)).toBeUndefined();
  });

  it('builds the spec from the answers, prefilled from a model folder; Back keeps the answers', async () => {
    fake.inputBoxAnswers.push(
      'qwen', // name
      BACK_BUTTON, // model: back to the name
      'qwen', // name again
      'mount/models/qwen-0.5b',
      'home/alice/serve',
      'python3 serve.py --port $PORT',
      '',
      'registry.example.com/serve:1',
      '9000',
      '2',
      '8Gi',
      '0.5',
      '2',
    );
    fake.quickPickAnswers.push(
      'nvidia',
      'None', // requirements
      'No probe', // startup
      'When its port accepts connections', // readiness
      'No probe', // liveness
      'Bearer tokens only (TI-ONE)',
    );
    const spec = (await askServiceSpec('Deploy Service', { model: 'mount/models/qwen-0.5b' }))?.spec;
    expect(fake.inputBoxes[0]).toMatchObject({ value: 'qwen-0-5b', step: 1, totalSteps: 16 });
    expect(fake.inputBoxes[1]).toMatchObject({ value: 'mount/models/qwen-0.5b', step: 2 });
    expect(fake.inputBoxes[2]).toMatchObject({ value: 'qwen', step: 1 });
    expect(spec).toMatchObject({
      name: 'qwen',
      auth: ['token'],
      version: {
        model: 'mount/models/qwen-0.5b',
        code: 'home/alice/serve',
        command: 'python3 serve.py --port $PORT',
        image: 'registry.example.com/serve:1',
        port: 9000,
        resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } },
        replicas: 2,
      },
    });
    expect(spec?.version.environment).toBeUndefined();
    expect(spec?.version.probes.readiness).toBeUndefined();
  });

  it('sends a workspace requirements file’s text and the probes asked for, with their timings', async () => {
    const file = Uri.file('/w/serve/requirements.txt');
    fake.workspaceFiles.push(file);
    fake.files.set(file.toString(), 'transformers==4.44\naccelerate\n');
    fake.inputBoxAnswers.push(
      ...typedUpToReplicas('reqs', 'python3 serve.py'),
      '/healthz', // startup path
      '8081', // liveness port
      '5 2 30', // startup timing
      '10 1 3', // readiness timing
      '20 5 3', // liveness timing
    );
    fake.quickPickAnswers.push(
      'none',
      'From a requirements file of the workspace…',
      'w/serve/requirements.txt',
      'When an HTTP path answers 2xx or 3xx', // startup
      'When its port accepts connections', // readiness
      'When another port accepts connections', // liveness
      'Set them for each probe…',
      'AppKey signatures and bearer tokens',
    );
    const asked = await askServiceSpec('Deploy Service');
    expect(asked?.spec.version.requirements).toBe('transformers==4.44\naccelerate\n');
    expect(asked?.spec.version.probes).toEqual({
      startup: {
        type: 'http',
        path: '/healthz',
        initialDelaySeconds: 0,
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 30,
      },
      readiness: { type: 'tcp', initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 },
      liveness: {
        type: 'tcp',
        port: 8081,
        initialDelaySeconds: 0,
        periodSeconds: 20,
        timeoutSeconds: 5,
        failureThreshold: 3,
      },
    });
  });

  it('opens again at the step a 400 names, with the issue shown and the answers kept', async () => {
    const answers = {
      name: 'taken',
      model: 'mount/models/x',
      code: '',
      command: 'python3 serve.py',
      environment: '',
      image: '',
      port: '8080',
      cpu: '1',
      memory: '1Gi',
      accelerator: 'none',
      replicas: '1',
      requirements: 'none',
      startup: 'none',
      readiness: 'tcp',
      liveness: 'none',
      auth: 'both',
    } as const;
    fake.inputBoxAnswers.push('mount/models/y', '', 'python3 serve.py', '', '', '8080', '1', '1Gi', '1');
    fake.quickPickAnswers.push('none', 'None', 'No probe', 'When its port accepts connections', 'No probe');
    fake.quickPickAnswers.push('AppKey signatures and bearer tokens');
    const asked = await askServiceSpec(
      'Deploy Service',
      {},
      { answers, problems: { model: 'does not exist under /work' } },
    );
    expect(fake.inputBoxes[0]).toMatchObject({
      value: 'mount/models/x',
      step: 2,
      validationMessage: 'does not exist under /work',
    });
    expect(asked?.spec).toMatchObject({ name: 'taken', version: { model: 'mount/models/y' } });
  });

  it('asks before deploying a service anyone may call', async () => {
    fake.inputBoxAnswers.push(...typedUpToReplicas('open', 'python3 -m http.server $PORT'));
    fake.quickPickAnswers.push(
      'none',
      'None',
      'No probe',
      'When its port accepts connections',
      'No probe',
      'Anyone (no auth)',
    );
    expect(await askServiceSpec('Deploy Service')).toBeUndefined();
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'warning', items: ['Deploy Without Auth'] });
  });

  it('takes the model folder from a Workspace view item (Deploy as Service)', () => {
    const catalog = { kind: 'model', name: 'tiny-gpt2', path: 'mount/models/tiny-gpt2' } as const;
    expect(modelFolderOf({ kind: 'catalogItem', item: catalog as never })).toBe('mount/models/tiny-gpt2');
    const folder = { type: 'directory', name: 'm', path: 'home/alice/m' } as const;
    expect(modelFolderOf({ kind: 'entry', entry: folder as never })).toBe('home/alice/m');
    expect(modelFolderOf({ kind: 'entry', entry: { ...folder, type: 'file' } as never })).toBeUndefined();
    expect(modelFolderOf('/work/mount/models/x/')).toBe('mount/models/x');
    expect(modelFolderOf(undefined)).toBeUndefined();
  });
});
