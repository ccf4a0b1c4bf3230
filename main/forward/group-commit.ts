/**
 * Writes that come in at once committed together: each `write` is queued and the queue is
 * committed as one transaction on the next turn of the event loop. A commit costs about the
 * same for one write as for twenty (it appends the pages they touched to the WAL), so
 * outcomes of attempts finishing together cost one commit, not one each.
 *
 * A write resolves once committed; if the transaction fails, every write of it rejects —
 * none of them happened, and whoever waits treats it like any failure to record.
 */
import type { Store } from '../store';

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Queued[] = [];

  constructor(private readonly store: Store) {}

  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const batch = this.queue;
    this.queue = [];
    let results: unknown[];
    try {
      results = this.store.transaction(() => batch.map((q) => q.write()));
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    batch.forEach((q, i) => q.resolve(results[i]));
  }
}
