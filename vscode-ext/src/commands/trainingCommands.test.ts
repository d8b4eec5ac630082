import { describe, expect, it, vi } from 'vitest';
import { waitForJobState, useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake, FakeTextDocument, Uri } from '../test/vscodeFake.js';
import { CommandIds } from './commandIds.js';
import { isJobYaml, scriptCommand, workPathOf } from './trainingCommands.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension();

const submittedId = () => /as job (\S+)\.$/.exec(fake.messages.at(-1)?.text ?? '')?.[1];

describe('Start Training (guided flow)', () => {
  it('asks for every field, submits a 2-node DDP job and it succeeds', async () => {
    // mode, accelerator, priority, engine
    fake.quickPickAnswers.push('ddp', 'none', '5', 'local');
    // name, command, nodes, cpu, memory, image, queue, working folder
    fake.inputBoxAnswers.push('t', 'echo hi', '2', '0.1', '64Mi', '', 'default', 'home');

    await commands.executeCommand(CommandIds.startTraining);

    expect(fake.quickPicks.map((q) => q.placeHolder)).toEqual([
      'Distributed mode',
      'Accelerator',
      'Priority (0 is the highest)',
      'Engine',
    ]);
    expect(fake.quickPicks[0]?.labels).toEqual(['ddp', 'mpi', 'horovod', 'deepspeed', 'ray', 'ps-worker']);
    expect(fake.inputBoxes.map((b) => b.prompt)).toEqual([
      'Job name (letters, digits, _ and -)',
      'Command every node runs',
      'Nodes',
      'CPU cores per node',
      'Memory per node',
      'Container image (optional on the local engine)',
      'Queue',
      'Working folder, relative to /work',
    ]);
    expect(fake.messages.at(-1)?.items).toEqual(['Show Logs', 'Show Details']);
    const id = submittedId();
    expect(id).toBeDefined();
    const job = await live.backend.client().getJob({ params: { id: id! } });
    expect(job.spec).toMatchObject({ name: 't', mode: 'ddp', nodes: 2, command: 'echo hi', engine: 'local' });
    expect(job.instances).toHaveLength(2);
    await waitForJobState(live.extension, live.backend, id!, 'Succeeded');
  });

  it('stops without submitting when a step is cancelled', async () => {
    fake.quickPickAnswers.push('ddp');
    fake.inputBoxAnswers.push('t', undefined);
    const before = (await live.backend.client().listJobs({ query: {} })).jobs.length;

    await commands.executeCommand(CommandIds.startTraining);

    expect(fake.messages).toEqual([]);
    expect((await live.backend.client().listJobs({ query: {} })).jobs.length).toBe(before);
  });

  it("refuses an invalid spec with the contract's message, naming the field", async () => {
    fake.quickPickAnswers.push('ddp', 'none', '5', 'Server default');
    fake.inputBoxAnswers.push('bad name!', 'echo hi', '1', '0.1', '64Mi', '', 'default', 'home');

    await commands.executeCommand(CommandIds.startTraining);

    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.severity).toBe('error');
    expect(fake.messages[0]?.text).toMatch(/^The job is not valid: name: name may contain only letters/);
  });
});

describe('Train this script', () => {
  it('prefills the name, command and folder from the active file under /work', async () => {
    const info = await live.backend.client().info();
    const home = info.roots.find((r) => r.name === 'home')!;
    await live.backend.writeFile(`home/${live.backend.user}/mnist/train.py`, 'print("hi")\n');
    fake.activeTextEditor = { document: new FakeTextDocument(Uri.file(`${home.displayPath}/mnist/train.py`), '') };
    fake.quickPickAnswers.push('ddp', 'none', '5', 'local');
    fake.inputBoxAnswers.push('train', 'python train.py', '1', '0.1', '64Mi', '', 'default', 'home/mnist');

    await commands.executeCommand(CommandIds.trainThisScript);

    expect(fake.inputBoxes.map((b) => b.value)).toEqual([
      'train',
      'python train.py',
      '1',
      '1',
      '2Gi',
      '',
      'default',
      'home/mnist',
    ]);
    const job = await live.backend.client().getJob({ params: { id: submittedId()! } });
    expect(job.spec).toMatchObject({ name: 'train', command: 'python train.py', workingDir: 'home/mnist' });
  });

  it('refuses a file outside /work', async () => {
    fake.activeTextEditor = { document: new FakeTextDocument(Uri.file('/tmp/elsewhere/train.py'), '') };
    await commands.executeCommand(CommandIds.trainThisScript);
    expect(fake.messages[0]?.severity).toBe('error');
    expect(fake.messages[0]?.text).toMatch(/^\/tmp\/elsewhere\/train.py is not under \/work/);
    expect(fake.quickPicks).toEqual([]);
  });

  it('maps local paths under the roots to /work paths', () => {
    const roots = [
      { name: 'home' as const, displayPath: '/work/home', writable: true },
      { name: 'mount' as const, displayPath: '/work/mount', writable: false },
    ];
    expect(workPathOf('/work/home/mnist/train.py', roots)).toBe('home/mnist/train.py');
    expect(workPathOf('/work/mount/x/a.sh', roots)).toBe('mount/x/a.sh');
    expect(workPathOf('/tmp/train.py', roots)).toBeUndefined();
    expect(scriptCommand('train.py')).toBe('python train.py');
    expect(scriptCommand('run.sh')).toBe('bash run.sh');
    expect(isJobYaml('/a/job.yaml')).toBe(true);
    expect(isJobYaml('/a/mnist.job.yaml')).toBe(true);
    expect(isJobYaml('/a/jobs.yaml')).toBe(false);
  });
});

describe('Submit job.yaml', () => {
  const yaml = [
    'name: from-yaml',
    'mode: ddp',
    'nodes: 2',
    'command: echo hi',
    'resources: { cpu: 0.1, memory: 64Mi }',
    'workingDir: home',
    '',
  ].join('\n');

  it('submits the job.yaml of the workspace and the job succeeds', async () => {
    const file = Uri.file('/ws/job.yaml');
    fake.files.set(file.toString(), yaml);
    fake.workspaceFiles.push(file);

    await commands.executeCommand(CommandIds.submitJobYaml);

    const id = submittedId();
    expect(fake.messages.at(-1)?.text).toMatch(/^Submitted from-yaml as job /);
    await waitForJobState(live.extension, live.backend, id!, 'Succeeded');
  });

  it('submits the file it is given (explorer menu) and asks which one when there are several', async () => {
    const a = Uri.file('/ws/a.job.yaml');
    const b = Uri.file('/ws/b/job.yaml');
    fake.files.set(a.toString(), yaml);
    fake.files.set(b.toString(), yaml.replace('from-yaml', 'second'));
    fake.workspaceFiles.push(a, b);
    fake.quickPickAnswers.push('ws/b/job.yaml');

    await commands.executeCommand(CommandIds.submitJobYaml);
    expect(fake.quickPicks[0]?.labels).toEqual(['ws/a.job.yaml', 'ws/b/job.yaml']);
    expect(fake.messages.at(-1)?.text).toMatch(/^Submitted second as job /);

    await commands.executeCommand(CommandIds.submitJobYaml, a);
    expect(fake.messages.at(-1)?.text).toMatch(/^Submitted from-yaml as job /);
  });

  it('shows what is wrong in a job.yaml, with the line, and submits nothing', async () => {
    const file = Uri.file('/ws/job.yaml');
    fake.files.set(
      file.toString(),
      'name: x\nmode: ddp\nnodes: two\ncommand: echo\nresources: { cpu: 1, memory: 1Gi }\n',
    );

    await commands.executeCommand(CommandIds.submitJobYaml, file);

    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.severity).toBe('error');
    expect(fake.messages[0]?.text).toContain('/ws/job.yaml is not a valid job: nodes');
  });
});
