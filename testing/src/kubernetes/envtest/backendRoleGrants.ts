/*
 * Each grant of backend.yaml's ClusterRole, why the backend holds it and which real-API-server test
 * exercises it: `jobs` (realEngine.e2e.test.ts), `workloads` (realWorkloads.e2e.test.ts: dev
 * machines, services, TensorBoards). A grant with no test needs what envtest lacks (a kubelet for
 * logs and exec, the metrics server) or is read by no engine code yet. The tests check that the
 * role grants exactly these and that each test used the grants marked with its name.
 */

export interface RoleGrant {
  why: string;
  exercisedBy?: 'jobs' | 'workloads';
}

/** No engine reads these by name today; the operator guide documents create/get/delete of what the engines create. */
const UNREAD = 'documented (operator guide, deployManifests.test.ts); no single read in the engines yet';

const JOB_KINDS = [
  'trainer.kubeflow.org/trainjobs',
  'kubeflow.org/mpijobs',
  'jobset.x-k8s.io/jobsets',
  'ray.io/rayjobs',
];

export const ROLE_GRANTS: Record<string, RoleGrant> = {
  ...Object.fromEntries(
    JOB_KINDS.flatMap((resource): [string, RoleGrant][] => [
      [`create ${resource}`, { why: 'submit, and the server dry run', exercisedBy: 'jobs' }],
      [`list ${resource}`, { why: 'the informers', exercisedBy: 'jobs' }],
      [`watch ${resource}`, { why: 'the informers', exercisedBy: 'jobs' }],
      [`get ${resource}`, { why: UNREAD }],
      [`delete ${resource}`, { why: 'stop, delete, start again, a failed create' }],
    ]),
  ),
  'delete trainer.kubeflow.org/trainjobs': { why: 'stop', exercisedBy: 'jobs' },
  'list kueue.x-k8s.io/workloads': { why: 'the Workload informer', exercisedBy: 'jobs' },
  'watch kueue.x-k8s.io/workloads': { why: 'the Workload informer', exercisedBy: 'jobs' },
  'get kueue.x-k8s.io/workloads': { why: UNREAD },
  'create /configmaps': { why: 'the hyperparameters ConfigMap; services', exercisedBy: 'jobs' },
  'get /configmaps': { why: UNREAD },
  'delete /configmaps': {
    why: 'services: stop, a rolled-over version; jobs: start again replaces it',
    exercisedBy: 'workloads',
  },
  'create /services': { why: 'dev machines, services', exercisedBy: 'workloads' },
  'get /services': { why: 'dev machines: the SSH Service', exercisedBy: 'workloads' },
  'delete /services': { why: 'dev machines, services', exercisedBy: 'workloads' },
  'create /secrets': { why: 'dev machines, services', exercisedBy: 'workloads' },
  'get /secrets': { why: 'dev machines: the SSH host key', exercisedBy: 'workloads' },
  'delete /secrets': { why: 'dev machines, services', exercisedBy: 'workloads' },
  'create apps/statefulsets': { why: 'dev machines', exercisedBy: 'workloads' },
  'get apps/statefulsets': { why: UNREAD },
  'delete apps/statefulsets': { why: 'dev machines', exercisedBy: 'workloads' },
  'create apps/deployments': { why: 'services, TensorBoards without Kubeflow', exercisedBy: 'workloads' },
  'get apps/deployments': { why: UNREAD },
  'delete apps/deployments': { why: 'services, TensorBoards', exercisedBy: 'workloads' },
  'patch apps/deployments': { why: 'services: scale and restart', exercisedBy: 'workloads' },
  'create serving.kserve.io/inferenceservices': { why: 'services on KServe' },
  'get serving.kserve.io/inferenceservices': { why: UNREAD },
  'delete serving.kserve.io/inferenceservices': { why: 'services on KServe' },
  'patch serving.kserve.io/inferenceservices': { why: 'services on KServe: scale' },
  'create tensorboard.kubeflow.org/tensorboards': { why: 'TensorBoards on Kubeflow' },
  'get tensorboard.kubeflow.org/tensorboards': { why: UNREAD },
  'delete tensorboard.kubeflow.org/tensorboards': { why: 'TensorBoards on Kubeflow' },
  'create networking.k8s.io/networkpolicies': {
    why: 'dev machines: only the backend reaches the IDEs',
    exercisedBy: 'workloads',
  },
  'get networking.k8s.io/networkpolicies': { why: UNREAD },
  'delete networking.k8s.io/networkpolicies': { why: 'dev machines', exercisedBy: 'workloads' },
  'list /pods': { why: 'the pod informer; services and TensorBoards list theirs', exercisedBy: 'jobs' },
  'watch /pods': { why: 'the pod informer', exercisedBy: 'jobs' },
  'get /pods': { why: "dev machines: the machine's pod", exercisedBy: 'workloads' },
  'delete /pods': { why: 'dev machines: a forced stop, and what a previous run left', exercisedBy: 'workloads' },
  'get /pods/log': { why: 'following logs (404 on envtest: no kubelet)', exercisedBy: 'jobs' },
  'list /events': { why: "the job's Kubernetes events", exercisedBy: 'jobs' },
  'create /pods/exec': { why: 'dev machines: save as image, repositories (newer API servers; needs a kubelet)' },
  'get /pods/exec': { why: 'dev machines: the same on older API servers (needs a kubelet)' },
  'get metrics.k8s.io/pods': { why: 'metrics, idle policies (needs the metrics server)' },
  'list metrics.k8s.io/pods': { why: 'metrics, idle policies (needs the metrics server)' },
};
