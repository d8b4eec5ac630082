/**
 * OpenMPI hostfile and Horovod host list rendering. A node's slot count is its number of visible
 * accelerator devices, or 1 when it is CPU-only (one process per node).
 */

/** One line of the hostfile. */
export interface HostSlots {
  host: string;
  slots: number;
}

/** `host slots=N`, one line per node in instance order, newline-terminated. */
export function renderHostfile(nodes: readonly HostSlots[]): string {
  return nodes.map((node) => `${node.host} slots=${node.slots}\n`).join('');
}

/** `host:slots,...` — NODE_IP_SLOT_LIST, also the form `horovodrun -H` takes. */
export function renderHostSlotList(nodes: readonly HostSlots[]): string {
  return nodes.map((node) => `${node.host}:${node.slots}`).join(',');
}
