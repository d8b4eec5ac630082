import { describe, expect, it, vi } from 'vitest';
import { describeContainerRuntime } from './connectionMessages.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

describe('describeContainerRuntime', () => {
  it('names the runtime and its version, or says dev machines run as processes and why', () => {
    expect(describeContainerRuntime({ kind: 'podman', version: '4.3.1' })).toBe('Containers: Podman 4.3.1.');
    expect(describeContainerRuntime({ kind: 'docker', version: '27.1.0' })).toBe('Containers: Docker 27.1.0.');
    expect(describeContainerRuntime({ kind: 'none' })).toBe('Containers: none — dev machines run as processes.');
    expect(describeContainerRuntime({ kind: 'none', reason: 'install podman and runc' })).toBe(
      'Containers: none — dev machines run as processes. Details: install podman and runc',
    );
  });
});
