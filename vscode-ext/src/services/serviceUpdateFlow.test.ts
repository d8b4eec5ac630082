import { ApiError, ServiceVersionSpecSchema, type Service } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { StepFlow } from '../training/stepFlow.js';
import { fake } from '../test/vscodeFake.js';
import { problemsByStep, serviceStepsOfIssue } from './serviceFlow.js';
import { askAuth, askLimits, askNewVersion, askReplicas, authChoice, scaleStepPrompt } from './serviceUpdateFlow.js';
import { limitStepsOfIssue } from './serviceLimitSteps.js';
import { VERSION_STEPS } from './serviceVersionSteps.js';
import { versionAnswers, versionInput, versionStepsOfIssue } from './serviceVersionSpec.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const SPEC = ServiceVersionSpecSchema.parse({
  model: 'mount/models/tiny-gpt2',
  command: 'python3 serve.py',
  requirements: 'transformers==4.44\naccelerate',
  env: { HF_HOME: '/tmp/hf' },
  resources: { cpu: 0.5, memory: '256Mi', accelerator: { type: 'nvidia', count: 1 } },
  replicas: 2,
  probes: {
    startup: {
      type: 'exec',
      command: 'test -f /tmp/ready',
      periodSeconds: 5,
      failureThreshold: 30,
      initialDelaySeconds: 20,
    },
    readiness: { type: 'http', path: '/ready' },
    liveness: { type: 'tcp', port: 9000 },
  },
});

const SERVICE = {
  name: 'tiny',
  state: 'Running',
  version: 1,
  auth: ['appkey', 'token'],
  limits: { qpsPerReplica: 100, concurrencyPerReplica: 16, maxBodyBytes: 10 * 1024 * 1024, upstreamTimeoutSeconds: 60 },
  versions: [{ version: 1, spec: SPEC, serving: true, createdAt: '2026-01-01T00:00:00Z' }],
  replicas: [],
} as unknown as Service;

const validate = (prompt: ReturnType<typeof scaleStepPrompt>, value: string) =>
  prompt.kind === 'input' ? prompt.validate?.(value) : 'not an input';

describe('updating a service', () => {
  it('checks replicas against the contract’s bounds', () => {
    expect(validate(scaleStepPrompt(), '0')).toMatch(/replicas/);
    expect(validate(scaleStepPrompt(), '17')).toMatch(/replicas/);
    expect(validate(scaleStepPrompt(), 'two')).toMatch(/whole number/i);
    expect(validate(scaleStepPrompt(), '16')).toBeUndefined();
  });

  it('scales from the serving version’s count, and shows a 400’s issue at the step', async () => {
    fake.inputBoxAnswers.push('3');
    const first = await askReplicas(SERVICE);
    expect(fake.inputBoxes[0]).toMatchObject({ title: 'Scale tiny', value: '2' });
    expect(first?.body).toEqual({ replicas: 3 });
    fake.inputBoxAnswers.push('4');
    const again = await askReplicas(SERVICE, { answers: first!.answers, problems: { replicas: 'no room' } });
    expect(fake.inputBoxes[1]).toMatchObject({ value: '3', validationMessage: 'no room' });
    expect(again?.body).toEqual({ replicas: 4 });
  });

  it('describes a version as answers and back again, probes and requirements included', () => {
    const answers = versionAnswers(SPEC);
    expect(answers).toMatchObject({
      accelerator: 'nvidia',
      acceleratorCount: '1',
      requirements: 'keep',
      startup: 'exec',
      startupCommand: 'test -f /tmp/ready',
      startupTiming: '5 1 30 20',
      readiness: 'http',
      readinessPath: '/ready',
      liveness: 'tcpPort',
      livenessPort: '9000',
      probeTimings: 'custom',
    });
    const again = ServiceVersionSpecSchema.parse(versionInput(answers, SPEC.requirements));
    expect(again).toEqual({ ...SPEC, env: {} }); // the steps do not ask for env: Roll Out keeps it
    // Inline requirements, one per word; the common path's TCP readiness is left to the contract.
    const typed = versionInput({ ...answers, requirements: 'inline', requirementsText: ' torch  numpy ' });
    expect(typed.requirements).toBe('torch\nnumpy');
    const plain = versionInput({
      ...answers,
      startup: 'none',
      readiness: 'tcp',
      liveness: 'none',
      probeTimings: undefined,
    });
    expect(plain.probes).toBeUndefined();
    expect(versionInput({ ...answers, requirements: 'none' }, 'x').requirements).toBeUndefined();
  });

  it('rolls out a version prefilled from the serving one, keeping its requirements', async () => {
    // Every prefilled value accepted as is, but the command.
    fake.inputBoxAnswers.push(
      'mount/models/tiny-gpt2',
      '',
      'python3 serve.py --v2',
      '',
      '',
      '8080',
      '0.5',
      '256Mi',
      '1',
      '2',
      'test -f /tmp/ready',
      '/ready',
      '9000',
      '5 1 30 20',
      '10 1 3',
      '10 1 3',
    );
    fake.quickPickAnswers.push(
      'nvidia',
      'Keep the serving version’s requirements',
      'When a command exits 0',
      'When an HTTP path answers 2xx or 3xx',
      'When another port accepts connections',
      'Set them for each probe…',
    );
    const rolled = await askNewVersion(SERVICE);
    expect(fake.inputBoxes[2]).toMatchObject({ value: 'python3 serve.py', title: 'Roll Out a New Version of tiny' });
    expect(fake.quickPicks.find((p) => p.labels.includes('No probe'))?.active).toBe('When a command exits 0');
    expect(rolled?.body.version).toEqual({ ...SPEC, command: 'python3 serve.py --v2' });
  });

  it('places a 400’s issues at the steps they name', () => {
    const error = new ApiError('validation_failed', 'refused', {
      issues: [
        { path: 'body.spec.version.model', message: 'does not exist under /work' },
        { path: 'body.version.probes.liveness.port', message: 'bad port' },
        { path: 'body.version.env', message: 'no step' },
      ],
    });
    const placed = problemsByStep(error, versionStepsOfIssue, (id) => id !== 'livenessPort');
    expect(placed).toEqual({
      problems: { model: 'does not exist under /work', liveness: 'bad port' },
      unplaced: ['body.version.env: no step'],
    });
    expect(problemsByStep(new Error('x'), versionStepsOfIssue, () => true)).toBeUndefined();
    expect(serviceStepsOfIssue('body.spec.name')).toEqual(['name']);
    expect(serviceStepsOfIssue('body.spec.version.resources.memory')).toEqual(['memory']);
    expect(versionStepsOfIssue('body.version.image')).toEqual(['imageRef', 'image']);
    expect(versionStepsOfIssue('body.version.probes.startup.periodSeconds')).toEqual(['startupTiming', 'probeTimings']);
    expect(limitStepsOfIssue('body.limits.maxBodyBytes')).toEqual(['maxBodyBytes']);
  });

  it('goes back to a step answered before, the steps before it kept', () => {
    const flow = new StepFlow(VERSION_STEPS, versionAnswers(SPEC));
    for (const value of ['m', '', 'c']) flow.answer(value);
    expect(flow.goTo('model')).toBe(true);
    expect(flow.current).toBe('model');
    expect(flow.goTo('replicas')).toBe(true);
    expect(flow.current).toBe('replicas');
    expect(flow.stepNumber).toBe(11);
    expect(flow.goTo('requirementsText')).toBe(false);
  });

  it('changes limits prefilled from the service', async () => {
    fake.inputBoxAnswers.push('50', '8', '1MiB', '30');
    const changed = await askLimits(SERVICE);
    expect(fake.inputBoxes.map((b) => b.value)).toEqual(['100', '16', '10MiB', '60']);
    expect(changed?.body.limits).toEqual({
      qpsPerReplica: 50,
      concurrencyPerReplica: 8,
      maxBodyBytes: 1024 * 1024,
      upstreamTimeoutSeconds: 30,
    });
  });

  it('changes auth by the contract’s rule, asking before anyone may call', async () => {
    expect(authChoice(['token'])).toEqual({ auth: ['token'] });
    expect(authChoice(['none', 'token'])).toMatchObject({ problem: expect.stringMatching(/none/) });
    expect(authChoice([])).toMatchObject({ problem: expect.stringMatching(/empty/) });

    // none with token is refused and asked again with the kinds still picked; none alone asks first.
    fake.quickPickAnswers.push('Anyone (no auth) + Bearer tokens (TI-ONE)', 'Anyone (no auth)');
    fake.messageAnswers.push('Let Anyone Call It');
    expect(await askAuth(SERVICE)).toEqual({ auth: ['none'] });
    expect(fake.quickPicks[0]?.picked).toEqual(['AppKey signatures (慧聚)', 'Bearer tokens (TI-ONE)']);
    expect(fake.quickPicks[1]?.placeHolder).toMatch(/none cannot be combined/);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'warning', items: ['Let Anyone Call It'] });

    fake.quickPickAnswers.push('Anyone (no auth)');
    expect(await askAuth(SERVICE)).toBeUndefined(); // not confirmed
  });
});
