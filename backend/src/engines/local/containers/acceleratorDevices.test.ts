import { describe, expect, it } from 'vitest';
import { containerDevices } from './acceleratorDevices.js';

const present =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('containerDevices', () => {
  it('passes the placed GPUs and NVIDIA’s shared nodes, numbered from 0 inside, this machine’s indexes for the toolkit', () => {
    const exists = present('/dev/nvidia2', '/dev/nvidia3', '/dev/nvidiactl', '/dev/nvidia-uvm');
    expect(containerDevices({ CUDA_VISIBLE_DEVICES: '2,3', AIPLAT_GPU_SHARE: '0.5' }, exists)).toEqual({
      devices: ['/dev/nvidia2', '/dev/nvidia3', '/dev/nvidiactl', '/dev/nvidia-uvm'],
      env: { CUDA_VISIBLE_DEVICES: '0,1', NVIDIA_VISIBLE_DEVICES: '2,3', AIPLAT_GPU_SHARE: '0.5' },
    });
  });

  it('passes Ascend NPUs with the davinci manager nodes', () => {
    const exists = present('/dev/davinci5', '/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc');
    expect(containerDevices({ ASCEND_RT_VISIBLE_DEVICES: '5' }, exists)).toEqual({
      devices: ['/dev/davinci5', '/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc'],
      env: { ASCEND_RT_VISIBLE_DEVICES: '0', ASCEND_VISIBLE_DEVICES: '5' },
    });
  });

  it('leaves virtual accelerators (no node on this machine) and no accelerators as they are', () => {
    const none = present('/dev/nvidiactl');
    expect(containerDevices({ CUDA_VISIBLE_DEVICES: '0,1' }, none)).toEqual({
      devices: [],
      env: { CUDA_VISIBLE_DEVICES: '0,1' },
    });
    expect(containerDevices({}, none)).toEqual({ devices: [], env: {} });
  });
});
