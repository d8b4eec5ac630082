import type { InstanceRequest } from './types.js';

interface TrieNode<T> {
  readonly next: Map<unknown, TrieNode<T>>;
  value?: T;
}

/**
 * Finds what the pass made earlier for a job of the same queue asking for the same instances,
 * without building a key per job: a trie over the raw values (queue, number of instances, then each
 * instance's CPUs, memory, accelerator type and count, compared as `Map` keys are, so 0 and -0 are
 * one key). Jobs that ask for the same thing in different words (1 and 1.0001 CPUs) get separate
 * entries, which the caller may map to one value.
 */
export class ShapeIndex<T> {
  private readonly root: TrieNode<T> = { next: new Map() };

  get(queue: string, instances: readonly InstanceRequest[]): T | undefined {
    return this.leaf(queue, instances).value;
  }

  set(queue: string, instances: readonly InstanceRequest[], value: T): void {
    this.leaf(queue, instances).value = value;
  }

  private leaf(queue: string, instances: readonly InstanceRequest[]): TrieNode<T> {
    let node = step(step(this.root, queue), instances.length);
    for (const instance of instances) {
      node = step(step(node, instance.cpu), instance.memoryBytes);
      node = step(step(node, instance.accelerator.type), instance.accelerator.count);
    }
    return node;
  }
}

function step<T>(node: TrieNode<T>, key: unknown): TrieNode<T> {
  let next = node.next.get(key);
  if (!next) {
    next = { next: new Map() };
    node.next.set(key, next);
  }
  return next;
}
