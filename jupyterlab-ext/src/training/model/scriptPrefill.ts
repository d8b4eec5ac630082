import { JOB_NAME_PATTERN, type JobSpecInput } from '@aiplat/api';

/** A word as one shell argument: as is when plain, in single quotes otherwise. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `home/alice/mnist/train.py` from `/work/home/alice/mnist/train.py`, `home/...` or `./home/...`. */
export function workRelative(workPath: string): string {
  return workPath
    .replace(/^\/work(\/|$)/, '')
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
}

/** The command that runs `file` (a name in the working dir): python, bash or the file itself. */
export function scriptCommand(file: string): string {
  const quoted = shellQuote(file);
  if (/\.py$/i.test(file)) return `python ${quoted}`;
  if (/\.sh$/i.test(file)) return `bash ${quoted}`;
  return `./${quoted}`;
}

/** torchrun across the job's nodes with the platform's variables (ddp). */
export function torchrunCommand(file: string): string {
  return (
    'torchrun --nnodes $WORLD_SIZE --node_rank $RANK --master_addr $MASTER_ADDR ' +
    `--master_port $MASTER_PORT --nproc_per_node 1 ${shellQuote(file)}`
  );
}

/** A job name from a file name: letters, digits, _ and - of its stem, at most 60. */
export function jobNameFor(file: string): string {
  const stem = file.replace(/\.[^.]+$/, '');
  const name = [...stem.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^[^\p{L}\p{N}]+/u, '')].slice(0, 60).join('');
  return JOB_NAME_PATTERN.test(name) ? name : 'train';
}

/** The form's prefill to train the script at `workPath`: one ddp node running it in its folder. */
export function scriptPrefill(workPath: string): Partial<JobSpecInput> {
  const relative = workRelative(workPath);
  const slash = relative.lastIndexOf('/');
  const file = slash < 0 ? relative : relative.slice(slash + 1);
  const dir = slash < 0 ? '' : relative.slice(0, slash);
  return {
    name: jobNameFor(file),
    mode: 'ddp',
    nodes: 1,
    command: scriptCommand(file),
    ...(dir ? { workingDir: dir } : {}),
  };
}
