/**
 * What a record QuickBooks returned means, next to what detection reported of it before:
 * the operation to report (or nothing: the same EditSequence was reported already, as
 * the overlap window makes sure happens), and who made it.
 */
import type { CompanionWriteRecord, DetectedRecord } from '../../store/watermarks';
import type { ChangeOperation, ChangeOrigin } from '../payload';
import { type DetectableType, nameOf } from './catalog';
import { instantOf } from './clock';
import { recordId } from './queries';

/** The facts of a record detection works with. */
export interface Observed {
  id: string;
  editSequence: string | null;
  name: string | null;
  timeCreated: string | null;
  timeModified: string | null;
  /** QuickBooks voids a transaction by zeroing it and starting its memo with "VOID:" (it stays, modified). */
  voided: boolean;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function observe(t: DetectableType, record: Record<string, unknown>): Observed | null {
  const id = recordId(t.kind, record);
  if (id === null) return null;
  return {
    id,
    editSequence: str(record.EditSequence),
    name: nameOf(t.kind, record),
    timeCreated: str(record.TimeCreated),
    timeModified: str(record.TimeModified),
    voided: t.kind === 'txn' && (str(record.Memo)?.startsWith('VOID:') ?? false),
  };
}

/** How the changes query in flight was asked. */
export interface ChangesRun {
  kind: 'snapshot' | 'baseline' | 'changes';
  /** Its FromModifiedDate (wall time); null: every record. */
  from: string | null;
  timeZone: string;
}

/**
 * Create, Update or Void for a record the changes query returned; null when it is the
 * version reported last. A record never reported is a Create when a snapshot or an
 * unfiltered query found it, or when it was created within the query's window — else
 * it is an older record detection did not know (an Update).
 */
export function operationOf(o: Observed, known: DetectedRecord | undefined, run: ChangesRun): ChangeOperation | null {
  const live = known !== undefined && known.deletedAt === null ? known : undefined;
  if (live) {
    if (live.editSequence === o.editSequence) return null;
    return o.voided && !live.voided ? 'Void' : 'Update';
  }
  if (run.kind === 'snapshot' || run.from === null || o.timeCreated === o.timeModified) return 'Create';
  return o.timeCreated !== null && instantOf(o.timeCreated, run.timeZone) >= instantOf(run.from, run.timeZone) ? 'Create' : 'Update';
}

/**
 * What the companion's own writes got back: the versions (id and EditSequence) its Adds
 * and Mods produced, the ids its deletions and voids named, and its merges.
 */
export class CompanionWrites {
  private readonly versions = new Set<string>();
  private readonly touched = new Set<string>();
  private readonly merges = new Map<string, string>();

  constructor(records: readonly CompanionWriteRecord[]) {
    let mergedFrom: string | null = null;
    for (const r of records) {
      const data = r.data as Record<string, unknown> | string;
      // ListDelRs, TxnDelRs and TxnVoidRs carry their id as a record of its own.
      if (r.name === 'ListID' || r.name === 'TxnID') {
        if (typeof data === 'string') this.touched.add(data);
        continue;
      }
      if (typeof data !== 'object' || data === null) continue;
      const id = str(data.ListID) ?? str(data.TxnID);
      if (id === null) continue;
      // A ListMergeRs holds MergedFrom, then MergedTo.
      if (r.name === 'MergedFrom') mergedFrom = id;
      else if (r.name === 'MergedTo' && mergedFrom !== null) {
        this.merges.set(mergedFrom, id);
        mergedFrom = null;
      }
      if (r.editSequence !== null) this.versions.add(`${id}\u0000${r.editSequence}`);
    }
  }

  /** Who made this version of a record. */
  originOf(o: Observed, operation: ChangeOperation): ChangeOrigin {
    const ours = operation === 'Void' ? this.touched.has(o.id) : this.versions.has(`${o.id}\u0000${o.editSequence}`);
    return ours ? 'companion' : 'quickbooks';
  }

  /** Who removed a record. */
  removedBy(id: string): ChangeOrigin {
    return this.touched.has(id) || this.merges.has(id) ? 'companion' : 'quickbooks';
  }

  /** The record the companion merged `id` into, if it did. */
  survivorOf(id: string): string | undefined {
    return this.merges.get(id);
  }
}
