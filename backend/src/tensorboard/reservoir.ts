import { seededRandom } from '../random/seededRandom.js';

/**
 * TensorBoard's reservoir sampling of a tag's points: at most `size` points, a uniform sample of
 * all seen so far, the latest always kept (a point not sampled in replaces the last one), and a
 * point whose step is not after the last kept one drops the kept points from that step on (the
 * writer restarted from a checkpoint). Deterministic: the same points give the same sample.
 */
export class Reservoir<T extends { step: number }> {
  private readonly items: T[] = [];
  private seen = 0;
  private random: () => number;

  constructor(
    private readonly size: number,
    seed = 0,
  ) {
    this.random = seededRandom(seed);
  }

  add(item: T): void {
    const last = this.items.at(-1);
    if (last && item.step <= last.step) {
      const keep = this.items.filter((kept) => kept.step < item.step);
      this.items.length = 0;
      this.items.push(...keep);
      this.seen = keep.length;
    }
    this.seen++;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.size) {
      this.items.splice(slot, 1);
      this.items.push(item);
    } else this.items[this.items.length - 1] = item;
  }

  /** The kept points, in step order. */
  get points(): readonly T[] {
    return this.items;
  }

  /** How many points were offered (since the last restart from an earlier step). */
  get total(): number {
    return this.seen;
  }
}
