/**
 * Every text the `aiplat` CLI shows people: descriptions, option help, examples, errors and
 * progress lines. The CLI speaks English only for now; to translate it, provide another object of
 * the `Messages` type and pick it in `program.ts` (nothing else holds user-facing text).
 */

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export const en = {
  program: {
    description: 'Submit, watch and manage training jobs on the AI platform.',
    server: `backend URL (env AIPLAT_SERVER; default ${DEFAULT_SERVER})`,
    token: 'API token (env AIPLAT_TOKEN)',
    version: 'print the CLI version',
    help: 'show help for a command',
    after:
      '\nEnvironment:\n' +
      `  AIPLAT_SERVER   the backend URL, like --server (default ${DEFAULT_SERVER})\n` +
      '  AIPLAT_TOKEN    the API token, like --token (the backend prints it when it starts)\n' +
      '\nExit codes: 0 success; 1 an error, or a job that failed or was stopped (submit --wait); 2 usage.\n' +
      examples([
        'export AIPLAT_TOKEN=<token printed by the backend>',
        'aiplat submit -f job.yaml --follow',
        'aiplat list --state Running,Queued',
        'aiplat logs -f job-1a2b3c4d5e',
      ]),
  },
  output: {
    formats: (formats: readonly string[]) => `output format: ${formats.join(', ')}`,
  },
  submit: {
    description:
      'Submit a training job from a job.yaml. The file is sent as written, so problems are reported against its fields and lines.',
    file: 'the job.yaml to submit ("-" reads standard input)',
    name: "override the job's name",
    set: 'override a field, e.g. nodes=4, resources.cpu=2, env.EPOCHS=3 (repeatable; values are YAML, env.* and tags.* are text)',
    wait: 'wait for the job to finish, printing its state changes; exit 0 only if it succeeds',
    follow: 'like --wait, and stream the logs of every instance while it runs',
    quiet: 'print only the job id',
    engine: 'run the job on this engine: local or kubernetes (sets engine in the job.yaml)',
    dryRun:
      'with --engine kubernetes: print the Kubernetes manifests the job would be created as (YAML, for kubectl) and submit nothing; needs no server or cluster',
    config:
      'with --dry-run: the backend config file to read the kubernetes section from (default AIPLAT_CONFIG, else the defaults)',
    user: 'with --dry-run: the user the manifests are for (default $USER)',
    after: examples([
      'aiplat submit -f job.yaml',
      'aiplat submit -f job.yaml --wait',
      'aiplat submit -f job.yaml --engine kubernetes --dry-run | kubectl apply --dry-run=server -f -',
      'aiplat submit -f job.yaml --follow --set nodes=4 --set env.EPOCHS=3',
      'cat job.yaml | aiplat submit -f - --name mnist-try2',
      'JOB=$(aiplat submit -f job.yaml -q)',
    ]),
    fileRequired: 'submit needs a job file: aiplat submit -f job.yaml (or -f - to read standard input)',
    cannotRead: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
    badSet: (value: string) => `--set takes key=value, e.g. --set nodes=4 (got "${value}")`,
    badSetValue: (key: string, reason: string) => `--set ${key}: the value is not valid YAML: ${reason}`,
    dryRunNeedsKubernetes:
      '--dry-run prints Kubernetes manifests: add --engine kubernetes (or set engine: kubernetes in the job.yaml)',
    submitted: (id: string, summary: string) => `${id} submitted: ${summary}`,
    summary: (name: string, mode: string, instances: number, queue: string, priority: number) =>
      `${name} (${mode}, ${instances} ${instances === 1 ? 'instance' : 'instances'}, queue ${queue}, priority ${priority})`,
  },
  kubernetes: {
    description: 'Commands for operators of the Kubernetes engine.',
    setupDescription:
      'Print the Kueue objects the Kubernetes engine needs (priority classes p0-p9, a ClusterQueue and a LocalQueue per configured queue, a ResourceFlavor) as YAML for kubectl apply -f -. Quotas are placeholders unless given with --quota: size them to your nodes.',
    namespace:
      'a namespace to put the LocalQueues in (repeatable; default the namespace of kubernetes.namespace for --user)',
    config: 'the backend config file to read the kubernetes section from (default AIPLAT_CONFIG, else the defaults)',
    user: 'whose namespace gets the LocalQueues when kubernetes.namespace holds {user} (default $USER)',
    quota:
      'the nominal quota of a resource in every ClusterQueue, e.g. cpu=256, memory=2Ti, nvidia.com/gpu=32 (repeatable)',
    setupAfter: examples([
      'aiplat kubernetes setup --config backend.yaml | kubectl apply -f -',
      'aiplat kubernetes setup --namespace aiplat-alice --namespace aiplat-bob --quota nvidia.com/gpu=16',
    ]),
    badQuota: (value: string) => `--quota takes name=quantity, e.g. --quota nvidia.com/gpu=16 (got "${value}")`,
    cannotReadConfig: (file: string, reason: string) =>
      `cannot read the config file ${file}: ${reason}; --config (or AIPLAT_CONFIG) names the backend's YAML config`,
    badConfig: (file: string, reason: string) =>
      `${file ? `the config file ${file}` : 'the backend configuration'} is not usable: ${reason}`,
    badUser: (user: string) =>
      `--user ${JSON.stringify(user)} is not a user name: 1-32 lowercase letters, digits, _ or -, starting with a letter or _`,
    cannotSetUp: (reason: string) => `cannot set up the queues: ${reason}`,
  },
  wait: {
    state: (id: string, state: string, detail: string) => `${id}: ${state}${detail ? ` (${detail})` : ''}`,
    queued: (position: number | undefined, reason: string | undefined) =>
      [position === undefined ? '' : `position ${position}`, reason ?? ''].filter(Boolean).join(': '),
    failed: (id: string, reason: string) => `${id} failed: ${reason}`,
    failedNoReason: (id: string) => `${id} failed`,
    stopped: (id: string) => `${id} was stopped`,
    deleted: (id: string) => `${id} was deleted while waiting for it`,
  },
  list: {
    description: 'List jobs, newest first.',
    state: 'only jobs in these states, comma-separated (e.g. Running,Queued)',
    tag: 'only jobs with this tag: key=value or key',
    mine: 'only your own jobs',
    limit: 'how many jobs to list (1-500)',
    all: 'list every job, page after page',
    after: examples([
      'aiplat list',
      'aiplat list --state Running,Queued --mine',
      'aiplat list --tag team=vision -o wide',
      'aiplat list --all -o json',
    ]),
    more: (shown: number) => `(showing the newest ${shown}; use --all or --limit for more)`,
    none: 'No jobs.',
    badLimit: (value: string) => `--limit must be a whole number from 1 to 500 (got "${value}")`,
    badState: (state: string, states: readonly string[]) => `unknown state "${state}"; states: ${states.join(', ')}`,
  },
  logs: {
    description:
      "Print a job's logs (every instance, merged by time; prefixed with the instance name when there are several).",
    job: 'the job id',
    follow: 'keep printing new lines until the job finishes',
    instance: 'only this instance (its index: 0, 1, ...)',
    since: 'only lines from this time on: ISO 8601 (2024-05-01T10:00:00Z) or an age such as 10m, 2h, 1d',
    search: 'only lines containing this text (case-insensitive)',
    stream: 'only these streams, comma-separated: stdout, stderr, platform',
    timestamps: 'prefix each line with its time',
    after: examples([
      'aiplat logs job-1a2b3c4d5e',
      'aiplat logs -f job-1a2b3c4d5e',
      'aiplat logs job-1a2b3c4d5e --instance 1 --stream stderr',
      'aiplat logs job-1a2b3c4d5e --since 10m --search loss --timestamps',
    ]),
    badInstance: (value: string) => `--instance must be an instance index: 0, 1, ... (got "${value}")`,
    badSince: (value: string) => `--since must be an ISO 8601 time or an age such as 30s, 10m, 2h, 1d (got "${value}")`,
    badStream: (value: string) => `unknown stream "${value}"; streams: stdout, stderr, platform`,
  },
  stop: {
    description: 'Stop a job: SIGTERM to every instance, SIGKILL after the grace period.',
    force: 'skip the grace period: SIGKILL at once',
    after: examples(['aiplat stop job-1a2b3c4d5e', 'aiplat stop --force job-1a2b3c4d5e']),
    done: (id: string, state: string) => `${id}: ${state}`,
  },
  dev: {
    description:
      'Dev machines: JupyterLab and VS Code (code-server) in the browser, with /work, started and stopped at will.',
    machine: 'dev machine id or name',
    create: {
      description: 'Create a dev machine and start it (unless --no-start).',
      name: 'its name, e.g. workspace',
      ides: 'the IDEs to run, comma-separated: jupyterlab, code-server (default both)',
      cpu: 'CPU cores (default 2)',
      memory: 'memory, e.g. 8Gi (default 4Gi)',
      accelerator: 'accelerators as type:count, e.g. nvidia:1 or nvidia:0.5 (default none)',
      image: 'container image (the Kubernetes engine runs it)',
      environment: 'the Python environment of the IDEs on the local engine, e.g. /opt/conda/envs/torch',
      workingDir: 'where the IDEs open, relative to /work (default home)',
      noStart: 'create it stopped',
      queue: 'the queue it waits in and holds its resources from (default default)',
      engine: "the engine that runs it: local or kubernetes (default the server's)",
      dryRun:
        'with --engine kubernetes: print the Kubernetes objects it would be created as (YAML) and create nothing; needs no server or cluster',
      config:
        'with --dry-run: the backend config file to read the kubernetes section from (default AIPLAT_CONFIG, else the defaults)',
      user: 'with --dry-run: the user the objects are for (default $USER)',
      dryRunNeedsKubernetes: '--dry-run prints Kubernetes objects: add --engine kubernetes',
      badAccelerator: (value: string) => `--accelerator takes type:count, e.g. nvidia:1 or ascend:0.5 (got "${value}")`,
      badNumber: (value: string) => `--cpu takes a number of cores, e.g. 2 or 0.5 (got "${value}")`,
      after: examples([
        'aiplat dev create workspace',
        'aiplat dev create lab --ides jupyterlab --cpu 4 --memory 16Gi --accelerator nvidia:1',
        'aiplat dev create lab --engine kubernetes --image registry.example.com/aiplat/devmachine:1 --dry-run',
        'aiplat dev create lab --ssh --ssh-key ~/.ssh/colleague.pub',
        'aiplat dev create lab --repo https://github.com/org/tools.git --repo https://github.com/org/model.git#dev@github',
        'aiplat dev create lab --repo git@github.com:org/private.git@deploy',
      ]),
    },
    list: {
      description: 'List your dev machines, newest first.',
      empty: 'No dev machines yet: aiplat dev create <name>',
    },
    start: { description: 'Start a stopped or failed dev machine.' },
    stop: { description: 'Stop a dev machine (its files under /work stay).', force: 'skip the grace period' },
    open: {
      description: "Print one-time links that sign a browser in and open the dev machine's IDEs.",
      ide: 'only this IDE: jupyterlab or code-server',
      oneTime: 'Each link signs a browser in once, within 10 minutes; run this again for new ones.',
      notRunning: (name: string, state: string) => `${name} is ${state}; start it with: aiplat dev start ${name}`,
    },
    delete: { description: 'Delete a stopped dev machine (its files under /work stay).' },
    done: (name: string, id: string, state: string) => `${name} (${id}): ${state}`,
    deleted: (id: string) => `${id}: deleted`,
    noSuch: (name: string) => `no dev machine ${name} of yours; list them with: aiplat dev list`,
    header: { id: 'ID', name: 'NAME', state: 'STATE', ides: 'IDES', resources: 'RESOURCES', age: 'AGE' },
  },
  env: {
    description: 'Show the environment each instance of a job got (the platform variables and your own), sorted.',
    instance: 'only this instance (its index)',
    after: examples(['aiplat env job-1a2b3c4d5e', 'aiplat env job-1a2b3c4d5e --instance 1 | grep RANK']),
    header: (name: string, index: number) => `# ${name} (instance ${index})`,
    noInstance: (index: number, count: number) =>
      `instance ${index} does not exist; this job has ${count} (0-${count - 1})`,
    none: 'The job has no instances yet.',
  },
  get: {
    description: 'Show one job with its instances.',
    after: examples(['aiplat get job-1a2b3c4d5e', 'aiplat get job-1a2b3c4d5e -o yaml']),
    fields: {
      id: 'ID',
      name: 'Name',
      state: 'State',
      reason: 'Reason',
      waiting: 'Waiting',
      progress: 'Progress',
      user: 'User',
      mode: 'Mode',
      queue: 'Queue',
      resources: 'Resources',
      command: 'Command',
      workingDir: 'Working dir',
      tags: 'Tags',
      created: 'Created',
      started: 'Started',
      finished: 'Finished',
      restarts: 'Restarts',
      instances: 'Instances',
    },
    modeLine: (mode: string, topology: string) => `${mode}, ${topology}`,
    queueLine: (queue: string, priority: number, position: number | undefined) =>
      `${queue}, priority ${priority}${position === undefined ? '' : `, position ${position}`}`,
    ago: (when: string, age: string) => `${when} (${age} ago)`,
  },
  events: {
    description: "List a job's events, oldest first.",
    after: examples(['aiplat events job-1a2b3c4d5e', 'aiplat events job-1a2b3c4d5e -o json']),
  },
  delete: {
    description: 'Delete a finished job with its logs.',
    after: examples(['aiplat delete job-1a2b3c4d5e']),
    done: (id: string) => `${id} deleted`,
  },
  startAgain: {
    description: 'Run a finished job again under the same id and spec.',
    after: examples(['aiplat start-again job-1a2b3c4d5e']),
    done: (id: string, state: string) => `${id} started again: ${state}`,
  },
  copy: {
    description: "Print a job's spec as a job.yaml (named <name>-copy), to edit and submit as a new job.",
    after: examples(['aiplat copy job-1a2b3c4d5e > job.yaml', 'aiplat copy job-1a2b3c4d5e | aiplat submit -f -']),
  },
  columns: {
    id: 'ID',
    name: 'NAME',
    state: 'STATE',
    mode: 'MODE',
    nodes: 'NODES',
    queue: 'QUEUE(P)',
    age: 'AGE',
    progress: 'PROGRESS/REASON',
    user: 'USER',
    engine: 'ENGINE',
    restarts: 'RESTARTS',
    created: 'CREATED',
    time: 'TIME',
    type: 'TYPE',
    instance: 'INSTANCE',
    message: 'MESSAGE',
    index: 'INDEX',
    host: 'HOST',
    node: 'NODE',
    pid: 'PID',
    exit: 'EXIT',
  },
  progress: {
    step: (step: number, total: number | undefined) => `step ${step}${total === undefined ? '' : `/${total}`}`,
    epoch: (epoch: number, total: number | undefined) => `epoch ${epoch}${total === undefined ? '' : `/${total}`}`,
    eta: (age: string) => `eta ${age}`,
    queuedAt: (position: number) => `#${position}`,
  },
  scalars: {
    description: 'Print the last value of each scalar a job (or a folder of TensorBoard event files) wrote.',
    source: 'a job id or name, or a folder under /work such as home/runs',
    tag: 'only tags matching this regular expression',
    empty: (path: string) => `no scalars under ${path} yet (a job writes them into $AIPLAT_SUMMARY_DIR)`,
    warning: (file: string, offset: number, message: string) =>
      `skipped a damaged record in ${file} at byte ${offset}: ${message}`,
    header: { run: 'RUN', tag: 'TAG', step: 'STEP', value: 'VALUE', points: 'POINTS' },
    after: examples(['aiplat scalars mnist-ddp', 'aiplat scalars home/runs --tag loss']),
  },
  tensorboard: {
    description: "TensorBoard for a job's summaries or a folder, served by the platform behind its login.",
    open: {
      description: 'Start (or reuse) a TensorBoard and print a one-time link that opens it signed in.',
      waiting: 'waiting for TensorBoard to start…',
      failed: (reason: string) => `TensorBoard did not start: ${reason}`,
      oneTime: 'The link signs a browser in once, within 10 minutes; run this again for a new one.',
    },
    list: { description: 'List your TensorBoards.', empty: 'no TensorBoards' },
    stop: { description: 'Stop a TensorBoard.', board: 'TensorBoard id (tb-…)' },
    noSuchJob: (name: string) => `no job or folder ${name} of yours; give a job id or name, or a folder like home/runs`,
    header: { id: 'ID', path: 'PATH', state: 'STATE', age: 'AGE' },
    after: examples([
      'aiplat tensorboard open mnist-ddp',
      'aiplat tensorboard open home/runs',
      'aiplat tensorboard stop tb-1a2b3c4d5e',
    ]),
  },
  errors: {
    prefix: 'error: ',
    missingToken:
      'no API token: pass --token <token> or set AIPLAT_TOKEN (the backend prints its token when it starts)',
    badServer: (value: string) =>
      `--server / AIPLAT_SERVER must be an http(s) URL such as ${DEFAULT_SERVER} (got "${value}")`,
    unreachable: (url: string, reason: string) =>
      `cannot reach the server at ${url} (${reason}); is it running? Set --server or AIPLAT_SERVER to its URL`,
    unauthorized: (message: string) => `${message} (check --token or AIPLAT_TOKEN)`,
    usageHint: (command: string) => `run "${command} --help" for usage`,
    unexpected: (message: string) => `unexpected failure: ${message}`,
  },
} as const;

export type Messages = typeof en;

/** The messages the CLI uses. */
export const messages: Messages = en;
