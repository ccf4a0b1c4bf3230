/**
 * Change detection's state (main/forward/detection): its settings per instance, its
 * watermarks per instance and type, and the records it has reported. Also what it reads
 * of the request queue: the records the companion's own writes got back.
 */
import type { Db } from './db';
import type { RowOf } from './table';
import { DETECTED_RECORDS, DETECTION_SETTINGS, WATERMARKS } from './tables';

export type DetectionSettings = RowOf<typeof DETECTION_SETTINGS.columns>;
export type Watermark = RowOf<typeof WATERMARKS.columns>;
export type DetectedRecord = RowOf<typeof DETECTED_RECORDS.columns>;

/** A record one of the companion's own writes got back (an Add or Mod's …Ret, a merge's MergedTo, a deletion's ListID…). */
export interface CompanionWriteRecord {
  name: string;
  editSequence: string | null;
  data: unknown;
}

type Row = Record<string, unknown>;

export class WatermarkStore {
  private readonly settingsStmt;
  private readonly putSettingsStmt;
  private readonly enabledStmt;
  private readonly updateSettings;
  private readonly watermarkStmt;
  private readonly watermarksStmt;
  private readonly byRequestStmt;
  private readonly inFlightStmt;
  private readonly insertWatermarkStmt;
  private readonly updateWatermark;
  private readonly recordStmt;
  private readonly upsertRecordStmt;
  private readonly byNameStmt;
  private readonly liveBeforeStmt;
  private readonly pruneStmt;
  private readonly writesStmt;

  constructor(db: Db) {
    this.settingsStmt = db.prepare<[string], Row>(`${DETECTION_SETTINGS.select} WHERE instance_id = ?`);
    this.putSettingsStmt = db.prepare<[Row]>(`${DETECTION_SETTINGS.insertSql()} ON CONFLICT (instance_id) DO UPDATE SET
      enabled = excluded.enabled, types_json = excluded.types_json, start_mode = excluded.start_mode,
      interval_minutes = excluded.interval_minutes, last_run_at = excluded.last_run_at, updated_at = excluded.updated_at`);
    this.enabledStmt = db.prepare<[], Row>(
      `${DETECTION_SETTINGS.select} WHERE enabled = 1 AND instance_id IN (SELECT id FROM instances WHERE deleted_at IS NULL) ORDER BY instance_id`,
    );
    this.updateSettings = DETECTION_SETTINGS.updater(db, 'instanceId');
    this.watermarkStmt = db.prepare<[string, string], Row>(`${WATERMARKS.select} WHERE instance_id = ? AND type = ?`);
    this.watermarksStmt = db.prepare<[string], Row>(`${WATERMARKS.select} WHERE instance_id = ? ORDER BY type`);
    this.byRequestStmt = db.prepare<[string, string, string], Row>(
      `${WATERMARKS.select} WHERE changes_request_id = ? OR deleted_request_id = ? OR reconcile_request_id = ? ORDER BY type`,
    );
    this.inFlightStmt = db.prepare<[], Row>(
      `${WATERMARKS.select} WHERE changes_request_id IS NOT NULL OR deleted_request_id IS NOT NULL OR reconcile_request_id IS NOT NULL ORDER BY instance_id, type`,
    );
    this.insertWatermarkStmt = db.prepare<[Row]>(WATERMARKS.insertSql());
    this.updateWatermark = WATERMARKS.updater(db, 'instanceId', 'type = ?');
    this.recordStmt = db.prepare<[string, string, string], Row>(`${DETECTED_RECORDS.select} WHERE instance_id = ? AND type = ? AND record_id = ?`);
    this.upsertRecordStmt = db.prepare<[Row]>(`${DETECTED_RECORDS.insertSql()} ON CONFLICT (instance_id, type, record_id) DO UPDATE SET
      edit_sequence = excluded.edit_sequence, name = excluded.name, time_created = excluded.time_created, voided = excluded.voided, seen_at = excluded.seen_at, deleted_at = excluded.deleted_at`);
    this.byNameStmt = db.prepare<[string, string, string, string], Row>(
      `${DETECTED_RECORDS.select} WHERE instance_id = ? AND type = ? AND name = ? COLLATE NOCASE AND record_id <> ? AND deleted_at IS NULL LIMIT 1`,
    );
    this.liveBeforeStmt = db.prepare<[string, string, number], Row>(
      `${DETECTED_RECORDS.select} WHERE instance_id = ? AND type = ? AND deleted_at IS NULL AND seen_at < ?`,
    );
    this.pruneStmt = db.prepare<[string, number]>('DELETE FROM detected_records WHERE instance_id = ? AND deleted_at < ?');
    this.writesStmt = db.prepare<[string, number], { name: string; edit_sequence: string | null; data: string }>(
      `SELECT r.name, r.edit_sequence, r.data FROM requests q JOIN records r ON r.request_seq = q.seq
        WHERE q.instance_id = ? AND q.kind = 'write' AND q.completed_at >= ? ORDER BY q.seq, r.seq`,
    );
  }

  settings(instanceId: string): DetectionSettings | undefined {
    const row = this.settingsStmt.get(instanceId);
    return row && DETECTION_SETTINGS.fromRow(row);
  }

  putSettings(s: DetectionSettings): void {
    this.putSettingsStmt.run(DETECTION_SETTINGS.params(s));
  }

  /** Settings that are on, of instances that exist. */
  enabled(): DetectionSettings[] {
    return this.enabledStmt.all().map((r) => DETECTION_SETTINGS.fromRow(r));
  }

  setLastRunAt(instanceId: string, at: number): void {
    this.updateSettings(instanceId, { lastRunAt: at });
  }

  watermark(instanceId: string, type: string): Watermark | undefined {
    const row = this.watermarkStmt.get(instanceId, type);
    return row && WATERMARKS.fromRow(row);
  }

  watermarks(instanceId: string): Watermark[] {
    return this.watermarksStmt.all(instanceId).map((r) => WATERMARKS.fromRow(r));
  }

  /** The watermarks a detection request was queued for. */
  byRequest(requestId: string): Watermark[] {
    return this.byRequestStmt.all(requestId, requestId, requestId).map((r) => WATERMARKS.fromRow(r));
  }

  /** Watermarks with a request in flight, of every instance. */
  inFlight(): Watermark[] {
    return this.inFlightStmt.all().map((r) => WATERMARKS.fromRow(r));
  }

  insertWatermark(w: Watermark): void {
    this.insertWatermarkStmt.run(WATERMARKS.params(w));
  }

  updateWatermarkOf(instanceId: string, type: string, patch: Partial<Watermark>): void {
    this.updateWatermark(instanceId, patch, type);
  }

  record(instanceId: string, type: string, recordId: string): DetectedRecord | undefined {
    const row = this.recordStmt.get(instanceId, type, recordId);
    return row && DETECTED_RECORDS.fromRow(row);
  }

  putRecord(r: DetectedRecord): void {
    this.upsertRecordStmt.run(DETECTED_RECORDS.params(r));
  }

  /** Another live record of the type with this name (case ignored, as QuickBooks compares names). */
  namesake(instanceId: string, type: string, name: string, exceptId: string): DetectedRecord | undefined {
    const row = this.byNameStmt.get(instanceId, type, name, exceptId);
    return row && DETECTED_RECORDS.fromRow(row);
  }

  /** Live records of a type last seen before `before`. */
  liveSeenBefore(instanceId: string, type: string, before: number): DetectedRecord[] {
    return this.liveBeforeStmt.all(instanceId, type, before).map((r) => DETECTED_RECORDS.fromRow(r));
  }

  /** Forgets records reported deleted before `before`; returns how many. */
  pruneDeleted(instanceId: string, before: number): number {
    return this.pruneStmt.run(instanceId, before).changes;
  }

  /** Records the instance's write requests completed since `since` got back from QuickBooks. */
  companionWrites(instanceId: string, since: number): CompanionWriteRecord[] {
    return this.writesStmt.all(instanceId, since).map((r) => ({ name: r.name, editSequence: r.edit_sequence, data: JSON.parse(r.data) as unknown }));
  }
}
