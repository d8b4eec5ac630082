/**
 * OpenMPI (and DeepSpeed) hostfile and Horovod host list rendering. A node's slot count is its number of visible
 * accelerator devices, or 1 when it is CPU-only (one process per node).
 */

/** One line of the hostfile. */
export interface HostSlots {
  host: string;
  slots: number;
}

/**
 * `host slots=N`, one line per host in order of first appearance, newline-terminated. Nodes that
 * share a host (every node of the local engine is 127.0.0.1) are one line with their slots summed:
 * Open MPI refuses a hostfile that gives one host's slot count twice.
 */
export function renderHostfile(nodes: readonly HostSlots[]): string {
  const slots = new Map<string, number>();
  for (const node of nodes) slots.set(node.host, (slots.get(node.host) ?? 0) + node.slots);
  return [...slots].map(([host, n]) => `${host} slots=${n}\n`).join('');
}

/** `host:slots,...` — NODE_IP_SLOT_LIST, also the form `horovodrun -H` takes. */
export function renderHostSlotList(nodes: readonly HostSlots[]): string {
  return nodes.map((node) => `${node.host}:${node.slots}`).join(',');
}
