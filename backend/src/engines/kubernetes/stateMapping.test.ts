import { describe, expect, it } from 'vitest';
import { JOB_TRANSITIONS, JobSpecSchema, type JobSpec } from '@aiplat/api';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { observeJob, podRoles, transitionPath, type ClusterObject, type PodObject } from './stateMapping.js';

function spec(fields: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({
    name: 'j',
    command: 'python train.py',
    image: 'pytorch:2.3',
    ...(fields.mode === 'ray' ? {} : { resources: { cpu: 1, memory: '1Gi' } }),
    ...fields,
  });
}

const ddp = spec({ mode: 'ddp', nodes: 2 });

function pod(
  name: string,
  labels: Record<string, string>,
  status: PodObject['status'],
  extra: Partial<PodObject> = {},
): PodObject {
  return {
    metadata: { name, uid: `uid-${name}`, labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: 'gpu-node-1', containers: [{ name: 'node' }] },
    status,
    ...extra,
  };
}

const ddpPod = (rank: number, status: PodObject['status']) =>
  pod(
    `tj-node-0-${rank}`,
    { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': String(rank) },
    status,
  );

const running = { phase: 'Running', containerStatuses: [{ name: 'node', state: { running: {} } }] };

function trainJob(status: Record<string, unknown> = {}, suspend = false): ClusterObject {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name: 'tj', uid: 'cr-1' },
    spec: { suspend },
    status,
  };
}

const workload = (conditions: unknown[]): ClusterObject => ({ metadata: { name: 'wl' }, status: { conditions } });

describe('observeJob', () => {
  const planned = plannedInstances(ddp);
  const observe = (cr: ClusterObject | undefined, pods: PodObject[] = [], wl?: ClusterObject) =>
    observeJob({ mode: 'ddp', planned, cr, workload: wl, pods });

  it('says nothing when the resource is missing (the engine decides what that means)', () => {
    expect(observe(undefined)).toBeUndefined();
  });

  it('a suspended resource is Queued with Kueue’s reason', () => {
    const wl = workload([
      {
        type: 'QuotaReserved',
        status: 'False',
        reason: 'Pending',
        message:
          "couldn't assign flavors to pod set node: insufficient unused quota for nvidia.com/gpu in flavor default, 2 more needed",
      },
    ]);
    const seen = observe(trainJob({}, true), [], wl);
    expect(seen?.state).toBe('Queued');
    expect(seen?.waitReason).toEqual({
      message: expect.stringContaining('insufficient unused quota'),
      resource: 'accelerator',
    });
    expect(observe(trainJob({}, true))?.waitReason?.message).toMatch(/waiting for Kueue to create its Workload/);
    const unseen = observeJob({
      mode: 'ddp',
      planned,
      cr: trainJob({}, true),
      workload: undefined,
      workloadsUnseen: 'workloads.kueue.x-k8s.io is forbidden',
      pods: [],
    });
    expect(unseen?.waitReason?.message).toBe(
      "queued; Kueue's Workloads cannot be followed: workloads.kueue.x-k8s.io is forbidden",
    );
  });

  it('a replaced pod and its successor: the newer speaks for the instance, read times (Dates) compared as times', () => {
    const at = (iso: string) => ({ metadata: { ...ddpPod(0, {}).metadata, creationTimestamp: new Date(iso) } });
    // As strings the older sorts last ("Thu Sep 03 …" > "Fri Sep 04 …").
    const older = { ...ddpPod(0, { phase: 'Failed' }), ...at('2026-09-03T23:00:00Z') };
    const newer = { ...ddpPod(0, running), ...at('2026-09-04T01:00:00Z') };
    newer.metadata.name = 'tj-node-0-0-retry';
    for (const pods of [
      [older, newer],
      [newer, older],
    ]) {
      const seen = observe(trainJob(), [...pods, ddpPod(1, running)]);
      expect(seen?.instances[0]).toMatchObject({ pod: 'tj-node-0-0-retry', state: 'Running' });
    }
  });

  it('admitted with some pods running is Starting; all running is Running, with pods and nodes', () => {
    expect(observe(trainJob(), [ddpPod(0, running), ddpPod(1, { phase: 'Pending' })])?.state).toBe('Starting');
    const seen = observe(trainJob(), [ddpPod(0, running), ddpPod(1, running)]);
    expect(seen?.state).toBe('Running');
    expect(seen?.instances).toEqual([
      { index: 0, state: 'Running', pod: 'tj-node-0-0', node: 'gpu-node-1' },
      { index: 1, state: 'Running', pod: 'tj-node-0-1', node: 'gpu-node-1' },
    ]);
  });

  it('Complete is Succeeded', () => {
    const done = { phase: 'Succeeded', containerStatuses: [{ name: 'node', state: { terminated: { exitCode: 0 } } }] };
    const seen = observe(
      trainJob({ conditions: [{ type: 'Complete', status: 'True', message: 'jobset completed' }] }),
      [ddpPod(0, done), ddpPod(1, done)],
    );
    expect(seen?.state).toBe('Succeeded');
    expect(seen?.instances.map((i) => i.state)).toEqual(['Succeeded', 'Succeeded']);
  });

  it('Failed names the pod and exit code of the failing instance', () => {
    const failed = {
      phase: 'Failed',
      containerStatuses: [{ name: 'node', state: { terminated: { exitCode: 3, reason: 'Error' } } }],
    };
    const seen = observe(trainJob({ conditions: [{ type: 'Failed', status: 'True', message: 'jobset failed' }] }), [
      ddpPod(0, running),
      ddpPod(1, failed),
    ]);
    expect(seen?.state).toBe('Failed');
    expect(seen?.reason).toEqual({
      kind: 'exit-code',
      instance: 1,
      exitCode: 3,
      message: 'instance 1 (pod tj-node-0-1) exited with code 3',
    });
    expect(seen?.instances.map((i) => i.state)).toEqual(['Stopped', 'Failed']);
  });

  it('an OOM-killed pod is an oom failure', () => {
    const oom = {
      phase: 'Failed',
      containerStatuses: [{ name: 'node', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
    };
    const seen = observe(trainJob({ conditions: [{ type: 'Failed', status: 'True' }] }), [ddpPod(0, oom)]);
    expect(seen?.reason?.kind).toBe('oom');
    expect(seen?.reason?.message).toMatch(/pod tj-node-0-0\) ran out of memory/);
  });

  it('a failure with no failed pod keeps the resource’s own message', () => {
    const seen = observe(
      trainJob({ conditions: [{ type: 'Failed', status: 'True', message: 'runtime torch-distributed not found' }] }),
    );
    expect(seen?.reason?.message).toMatch(/runtime torch-distributed not found/);
  });

  it('an image that cannot be pulled keeps the job Starting and says why', () => {
    const pulling = {
      phase: 'Pending',
      containerStatuses: [
        { name: 'node', state: { waiting: { reason: 'ImagePullBackOff', message: 'pull access denied' } } },
      ],
    };
    const seen = observe(trainJob(), [ddpPod(0, pulling), ddpPod(1, running)]);
    expect(seen?.state).toBe('Starting');
    expect(seen?.message).toMatch(/instance 0 \(pod tj-node-0-0\) cannot start: ImagePullBackOff: pull access denied/);
  });

  it('other kinds: MPIJob Succeeded, JobSet Completed, RayJob SUCCEEDED / FAILED', () => {
    const mpi = spec({ mode: 'mpi', nodes: 2 });
    const mpiJob = {
      metadata: { name: 'm' },
      spec: { runPolicy: { suspend: false } },
      status: { conditions: [{ type: 'Succeeded', status: 'True' }] },
    };
    expect(
      observeJob({ mode: 'mpi', planned: plannedInstances(mpi), cr: mpiJob, workload: undefined, pods: [] })?.state,
    ).toBe('Succeeded');
    expect(
      observeJob({
        mode: 'mpi',
        planned: plannedInstances(mpi),
        cr: { ...mpiJob, spec: { runPolicy: { suspend: true } }, status: {} },
        workload: undefined,
        pods: [],
      })?.state,
    ).toBe('Queued');
    const ps = spec({ mode: 'ps-worker', ps: 1, workers: 2 });
    const jobSet = {
      metadata: { name: 's' },
      spec: {},
      status: { conditions: [{ type: 'Completed', status: 'True' }] },
    };
    expect(
      observeJob({ mode: 'ps-worker', planned: plannedInstances(ps), cr: jobSet, workload: undefined, pods: [] })
        ?.state,
    ).toBe('Succeeded');
    const ray = spec({
      mode: 'ray',
      head: { resources: { cpu: 1, memory: '1Gi' } },
      workerGroups: [{ name: 'g', replicas: 1, resources: { cpu: 1, memory: '1Gi' } }],
    });
    const rayJob = (status: Record<string, unknown>) => ({ metadata: { name: 'r' }, spec: {}, status });
    const planRay = plannedInstances(ray);
    expect(
      observeJob({
        mode: 'ray',
        planned: planRay,
        cr: rayJob({ jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED' }),
        workload: undefined,
        pods: [],
      })?.state,
    ).toBe('Succeeded');
    const failed = observeJob({
      mode: 'ray',
      planned: planRay,
      cr: rayJob({ jobDeploymentStatus: 'Failed', jobStatus: 'FAILED', message: 'driver exited 1' }),
      workload: undefined,
      pods: [],
    });
    expect(failed?.state).toBe('Failed');
    expect(failed?.reason?.message).toMatch(/driver exited 1/);
  });
});

describe('podRoles', () => {
  it('MPI: the launcher logs into node 0, workers are their nodes (worker 0’s sshd output is not followed)', () => {
    const mpi = spec({ mode: 'mpi', nodes: 2 });
    const launcher = pod('m-launcher', { 'training.kubeflow.org/job-role': 'launcher' }, running);
    const w0 = pod(
      'm-worker-0',
      { 'training.kubeflow.org/job-role': 'worker', 'training.kubeflow.org/replica-index': '0' },
      running,
    );
    const w1 = pod(
      'm-worker-1',
      { 'training.kubeflow.org/job-role': 'worker', 'training.kubeflow.org/replica-index': '1' },
      running,
    );
    const roles = podRoles('mpi', [launcher, w0, w1], plannedInstances(mpi));
    expect(roles.get(launcher)).toEqual({ logTo: 0 });
    expect(roles.get(w0)).toEqual({ stateOf: 0 });
    expect(roles.get(w1)).toEqual({ stateOf: 1, logTo: 1 });
  });

  it('PS-Worker: the replicated job and completion index name the instance', () => {
    const ps = spec({ mode: 'ps-worker', ps: 1, workers: 2 });
    const w1 = pod(
      's-worker-0-1',
      { 'jobset.sigs.k8s.io/replicatedjob-name': 'worker', 'batch.kubernetes.io/job-completion-index': '1' },
      running,
    );
    const p0 = pod(
      's-ps-0-0',
      { 'jobset.sigs.k8s.io/replicatedjob-name': 'ps', 'batch.kubernetes.io/job-completion-index': '0' },
      running,
    );
    const roles = podRoles('ps-worker', [w1, p0], plannedInstances(ps));
    expect(roles.get(p0)).toEqual({ stateOf: 0, logTo: 0 });
    expect(roles.get(w1)).toEqual({ stateOf: 2, logTo: 2 });
  });

  it('Ray: the head, each worker by its one-replica group, the submitter logs into the head', () => {
    const ray = spec({
      mode: 'ray',
      head: { resources: { cpu: 1, memory: '1Gi' } },
      workerGroups: [{ name: 'cpu', replicas: 2, resources: { cpu: 1, memory: '1Gi' } }],
    });
    const head = pod('r-head', { 'ray.io/node-type': 'head' }, running);
    const wb = pod('r-cpu-worker-b', { 'ray.io/node-type': 'worker', 'ray.io/group': 'cpu-1' }, running);
    const wa = pod('r-cpu-worker-a', { 'ray.io/node-type': 'worker', 'ray.io/group': 'cpu-0' }, running);
    const submitter = pod('r-submitter', {}, running);
    const roles = podRoles('ray', [wb, head, submitter, wa], plannedInstances(ray));
    expect(roles.get(head)).toEqual({ stateOf: 0, logTo: 0 });
    expect(roles.get(wa)).toEqual({ stateOf: 1, logTo: 1 });
    expect(roles.get(wb)).toEqual({ stateOf: 2, logTo: 2 });
    expect(roles.get(submitter)).toEqual({ logTo: 0 });
  });
});

describe('transitionPath', () => {
  it('walks through the states in between, never through a finished or stopping one', () => {
    expect(transitionPath('Queued', 'Running', JOB_TRANSITIONS)).toEqual(['Starting', 'Running']);
    expect(transitionPath('Queued', 'Succeeded', JOB_TRANSITIONS)).toEqual(['Starting', 'Running', 'Succeeded']);
    expect(transitionPath('Running', 'Queued', JOB_TRANSITIONS)).toEqual(['Queued']);
    expect(transitionPath('Queued', 'Failed', JOB_TRANSITIONS)).toEqual(['Failed']);
    expect(transitionPath('Running', 'Running', JOB_TRANSITIONS)).toEqual([]);
    expect(transitionPath('Stopping', 'Succeeded', JOB_TRANSITIONS)).toBeUndefined();
  });
});
