/**
 * Query iterators. QuickBooks fixes the result set when the iterator starts and hands
 * it out page by page; "Iterators are only valid for the application that starts them,
 * and they are only valid for the current QuickBooks session" (Intuit InvoiceQuery
 * reference), so they live in memory and die with the session — never persisted.
 */
import { guidFrom } from './ids';

export interface IteratorState {
  /** The query that started it ("CustomerQueryRq"); a Continue of another type is invalid. */
  requestType: string;
  /** IDs still to hand out, in order. */
  remaining: string[];
  maxReturned: number | undefined;
}

export class Iterators {
  private readonly live = new Map<string, IteratorState>();
  private created = 0;

  /** IDs derive from the clock and a counter, so runs are reproducible. */
  start(state: IteratorState, now: number): string {
    const id = guidFrom(`iterator|${now}|${this.created++}`);
    this.live.set(id.toLowerCase(), state);
    return id;
  }

  get(id: string): IteratorState | undefined {
    return this.live.get(id.toLowerCase());
  }

  delete(id: string): void {
    this.live.delete(id.toLowerCase());
  }

  clear(): void {
    this.live.clear();
  }
}
