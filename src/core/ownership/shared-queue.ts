// The lint's batches, claimed by every thread from shared memory: the main thread takes from
// the back, workers from the front, nobody hands anything out. (A queue the main thread fed by
// message stalled the workers whenever it was busy: loading TypeScript, ~0.2 s, or a batch of
// TS files; on the 16,000-file bench a worker was idle for ~0.45 s of 3.2.)

/** Batches' front and end (exclusive) packed in one Int32, so one compareExchange claims either end. */
const MAX_BATCHES = 0xffff;

export class SharedQueue {
  /** `cell`: an Int32Array on a SharedArrayBuffer, made by `create` (passed to workers as is) */
  constructor(readonly cell: Int32Array) {}

  static create(batches: number): SharedQueue {
    if (batches > MAX_BATCHES) throw new Error(`too many batches for the shared queue: ${batches}`);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    cell[0] = batches << 16; // front 0, end `batches`
    return new SharedQueue(cell);
  }

  /** The index of the next batch at that end, or null when every batch is taken. */
  take(end: 'front' | 'back'): number | null {
    for (;;) {
      const packed = Atomics.load(this.cell, 0);
      const front = packed & 0xffff;
      const stop = (packed >>> 16) & 0xffff;
      if (front >= stop) return null;
      const next = end === 'front' ? (stop << 16) | (front + 1) : ((stop - 1) << 16) | front;
      if (Atomics.compareExchange(this.cell, 0, packed, next) === packed) return end === 'front' ? front : stop - 1;
    }
  }
}

/** Files per batch: 32, more when that would make more batches than the queue can count. */
export function batchSize(files: number): number {
  return Math.max(32, Math.ceil(files / MAX_BATCHES));
}
