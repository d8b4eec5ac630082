import { instanceGroups, type InstanceRole, type JobSpec } from '@aiplat/api';

export interface PlannedInstance {
  index: number;
  role: InstanceRole;
  group?: string;
  /** `role-n`, n counted within the role: the instance's log file and AIPLAT_INSTANCE. */
  name: string;
}

/** The instances a spec asks for, in index order, named as every engine names them. */
export function plannedInstances(spec: JobSpec): PlannedInstance[] {
  const counts = new Map<InstanceRole, number>();
  const out: PlannedInstance[] = [];
  for (const group of instanceGroups(spec)) {
    for (let i = 0; i < group.replicas; i++) {
      const n = counts.get(group.role) ?? 0;
      counts.set(group.role, n + 1);
      out.push({
        index: out.length,
        role: group.role,
        ...(group.group !== undefined ? { group: group.group } : {}),
        name: `${group.role}-${n}`,
      });
    }
  }
  return out;
}
