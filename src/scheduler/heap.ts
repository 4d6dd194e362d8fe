/**
 * Binary min-heaps on typed arrays: the replay's event queue (next event time, never a per-second poll) and the
 * index of running jobs by expected end that backfill walks in order to find when a reservation can start.
 */

/** A min-heap of integer items keyed by a number; equal keys come out in insertion order. */
export class MinHeap {
  private keys = new Float64Array(1024);
  private sequence = new Float64Array(1024);
  private items = new Int32Array(1024);
  private count = 0;
  private inserted = 0;

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** Smallest key, or Infinity when empty. */
  get peekKey(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.keys[0]!;
  }

  /** Adds an item. */
  push(key: number, item: number): void {
    if (this.count === this.keys.length) this.grow();
    let at = this.count++;
    const order = this.inserted++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.before(this.keys[parent]!, this.sequence[parent]!, key, order)) break;
      this.move(parent, at);
      at = parent;
    }
    this.keys[at] = key;
    this.sequence[at] = order;
    this.items[at] = item;
  }

  /** Removes and returns the item with the smallest key; -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.items[0]!;
    const last = --this.count;
    if (last > 0) {
      const key = this.keys[last]!;
      const order = this.sequence[last]!;
      const item = this.items[last]!;
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= last) break;
        if (
          child + 1 < last &&
          this.before(this.keys[child + 1]!, this.sequence[child + 1]!, this.keys[child]!, this.sequence[child]!)
        ) {
          child++;
        }
        if (this.before(key, order, this.keys[child]!, this.sequence[child]!)) break;
        this.move(child, at);
        at = child;
      }
      this.keys[at] = key;
      this.sequence[at] = order;
      this.items[at] = item;
    }
    return top;
  }

  private before(keyA: number, orderA: number, keyB: number, orderB: number): boolean {
    return keyA < keyB || (keyA === keyB && orderA < orderB);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.sequence[to] = this.sequence[from]!;
    this.items[to] = this.items[from]!;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const keys = new Float64Array(size);
    keys.set(this.keys);
    const sequence = new Float64Array(size);
    sequence.set(this.sequence);
    const items = new Int32Array(size);
    items.set(this.items);
    this.keys = keys;
    this.sequence = sequence;
    this.items = items;
  }
}

/**
 * A min-heap of distinct non-negative integer items that can remove any item, and visit items in key order without
 * popping them (a second small heap walks the first one's tree, so visiting k items costs O(k log k)).
 */
export class IndexedMinHeap {
  private keys = new Float64Array(1024);
  private items = new Int32Array(1024);
  /** Position of each item in the heap, -1 when absent. */
  private positions = new Int32Array(1024).fill(-1);
  private count = 0;
  private frontier = new Int32Array(1024);

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** Adds an item that is not in the heap. */
  insert(item: number, key: number): void {
    if (item >= this.positions.length) {
      const positions = new Int32Array(Math.max(item + 1, this.positions.length * 2)).fill(-1);
      positions.set(this.positions);
      this.positions = positions;
    }
    if (this.count === this.keys.length) {
      const keys = new Float64Array(this.keys.length * 2);
      keys.set(this.keys);
      const items = new Int32Array(this.items.length * 2);
      items.set(this.items);
      this.keys = keys;
      this.items = items;
    }
    const at = this.count++;
    this.keys[at] = key;
    this.items[at] = item;
    this.positions[item] = at;
    this.up(at);
  }

  /** The key of an item, or undefined when it is not in the heap. */
  keyOf(item: number): number | undefined {
    const at = item < this.positions.length ? this.positions[item]! : -1;
    return at < 0 ? undefined : this.keys[at];
  }

  /** Removes an item if present. */
  remove(item: number): void {
    const at = item < this.positions.length ? this.positions[item]! : -1;
    if (at < 0) return;
    this.positions[item] = -1;
    const last = --this.count;
    if (at === last) return;
    this.keys[at] = this.keys[last]!;
    this.items[at] = this.items[last]!;
    this.positions[this.items[at]!] = at;
    this.up(at);
    this.down(this.positions[this.items[at]!]!);
  }

  /** Calls `visit(item, key)` in increasing key order until it returns false or the items run out. */
  visitInOrder(visit: (item: number, key: number) => boolean): void {
    if (this.count === 0) return;
    if (this.frontier.length < this.count) this.frontier = new Int32Array(this.keys.length);
    const frontier = this.frontier;
    let size = 1;
    frontier[0] = 0;
    while (size > 0) {
      const position = frontier[0]!;
      // Pop the smallest position from the frontier heap (ordered by the main heap's keys).
      const last = frontier[--size]!;
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && this.keys[frontier[child + 1]!]! < this.keys[frontier[child]!]!) child++;
        if (this.keys[last]! <= this.keys[frontier[child]!]!) break;
        frontier[at] = frontier[child]!;
        at = child;
      }
      if (size > 0) frontier[at] = last;
      if (!visit(this.items[position]!, this.keys[position]!)) return;
      for (let child = 2 * position + 1; child <= 2 * position + 2 && child < this.count; child++) {
        let up = size++;
        while (up > 0) {
          const parent = (up - 1) >> 1;
          if (this.keys[frontier[parent]!]! <= this.keys[child]!) break;
          frontier[up] = frontier[parent]!;
          up = parent;
        }
        frontier[up] = child;
      }
    }
  }

  private up(at: number): void {
    const key = this.keys[at]!;
    const item = this.items[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[at] = this.keys[parent]!;
      this.items[at] = this.items[parent]!;
      this.positions[this.items[at]!] = at;
      at = parent;
    }
    this.keys[at] = key;
    this.items[at] = item;
    this.positions[item] = at;
  }

  private down(at: number): void {
    const key = this.keys[at]!;
    const item = this.items[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.count) break;
      if (child + 1 < this.count && this.keys[child + 1]! < this.keys[child]!) child++;
      if (key <= this.keys[child]!) break;
      this.keys[at] = this.keys[child]!;
      this.items[at] = this.items[child]!;
      this.positions[this.items[at]!] = at;
      at = child;
    }
    this.keys[at] = key;
    this.items[at] = item;
    this.positions[item] = at;
  }
}
