/** Variables of the backend's own environment that job instances inherit; nothing else leaks in. */
const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'CUDA_HOME',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
];

export function instanceBaseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  // nvidia-smi numbers GPUs by PCI bus; CUDA does too only when told, and the scheduler's device
  // indices come from nvidia-smi.
  const base: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
  };
  for (const name of INHERITED_ENV) {
    const value = env[name];
    if (value !== undefined) base[name] = value;
  }
  return base;
}
