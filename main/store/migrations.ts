/**
 * Versioned schema migrations, applied in order inside one transaction at start.
 * `PRAGMA user_version` records the last one applied. Never edit a released
 * migration; append a new one.
 *
 * Times are integer milliseconds since the epoch (UTC); the API renders ISO 8601.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the foundation: instances, sessions, the request queue with responses, the event log.
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE instances (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    username              TEXT NOT NULL,
    password_hash         TEXT NOT NULL,
    qbd_path              TEXT,
    frequency_minutes     INTEGER NOT NULL,
    contact_json          TEXT,
    configuration_json    TEXT NOT NULL,
    file_id               TEXT NOT NULL,
    owner_id              TEXT NOT NULL,
    postpone_seconds      INTEGER,
    min_run_every_seconds INTEGER,
    linger_seconds        INTEGER NOT NULL DEFAULT 0,
    alternate_files_json  TEXT NOT NULL DEFAULT '[]',
    read_only             INTEGER NOT NULL DEFAULT 0,
    company_json          TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    deleted_at            INTEGER
  );
  CREATE UNIQUE INDEX instances_username ON instances (username COLLATE NOCASE) WHERE deleted_at IS NULL;

  CREATE TABLE auth_failures (
    username     TEXT PRIMARY KEY COLLATE NOCASE,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    ticket_hash       TEXT NOT NULL UNIQUE,
    instance_id       TEXT REFERENCES instances (id),
    user              TEXT NOT NULL,
    status            TEXT NOT NULL,
    auth_result       TEXT NOT NULL,
    ip_address        TEXT,
    client_version    TEXT,
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    ended_at          INTEGER,
    company_file      TEXT,
    country           TEXT,
    qbxml_version     TEXT,
    host_json         TEXT,
    last_error        TEXT,
    last_error_code   TEXT,
    in_flight_id      TEXT,
    expected_total    INTEGER NOT NULL DEFAULT 0,
    requests_sent     INTEGER NOT NULL DEFAULT 0,
    requests_done     INTEGER NOT NULL DEFAULT 0,
    requests_failed   INTEGER NOT NULL DEFAULT 0,
    connection_errors INTEGER NOT NULL DEFAULT 0,
    alternate_tried   TEXT,
    interactive_token TEXT,
    interactive_state TEXT,
    noop_since        INTEGER,
    close_message     TEXT
  );
  CREATE INDEX sessions_instance ON sessions (instance_id, created_at);
  CREATE INDEX sessions_active ON sessions (instance_id) WHERE status = 'active';

  CREATE TABLE requests (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    instance_id     TEXT NOT NULL REFERENCES instances (id),
    status          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    not_before      INTEGER,
    types           TEXT NOT NULL,
    on_error        TEXT NOT NULL,
    body            TEXT NOT NULL,
    rq_offsets      TEXT NOT NULL,
    source          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    completed_at    INTEGER,
    session_id      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status_code     INTEGER,
    status_severity TEXT,
    status_message  TEXT,
    hresult         TEXT,
    hresult_message TEXT,
    results_json    TEXT,
    error_json      TEXT,
    response_id     INTEGER
  );
  -- Only queued requests are indexed for picking the next one: leaving the queue is the
  -- only index change a request makes on the hot path.
  CREATE INDEX requests_queue ON requests (instance_id, priority DESC, seq) WHERE status = 'queued';
  CREATE INDEX requests_instance ON requests (instance_id, seq);

  -- A response small enough to arrive in one piece is kept in its data column; larger ones add
  -- response_chunks rows after it.
  CREATE TABLE responses (
    id          INTEGER PRIMARY KEY,
    session_id  TEXT,
    request_id  TEXT,
    received_at INTEGER NOT NULL,
    size        INTEGER NOT NULL DEFAULT 0,
    complete    INTEGER NOT NULL DEFAULT 0,
    parse_error TEXT,
    data        TEXT
  );

  CREATE TABLE response_chunks (
    response_id INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (response_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    log_id     INTEGER PRIMARY KEY,
    client_id  TEXT,
    timestamp  INTEGER NOT NULL,
    user       TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT,
    result     TEXT,
    session_id TEXT,
    request_id TEXT
  );
  CREATE INDEX events_client_time ON events (client_id, timestamp);
  CREATE INDEX events_time ON events (timestamp);
  `,
  // 2: the qbXML engine: structured requests, idempotency keys, iterators, follow-up
  // requests (reconciliation, EditSequence refresh) and parsed records.
  `
  ALTER TABLE requests ADD COLUMN request_json TEXT;
  ALTER TABLE requests ADD COLUMN min_version TEXT;
  ALTER TABLE requests ADD COLUMN idempotency_key TEXT;
  ALTER TABLE requests ADD COLUMN options_json TEXT;
  ALTER TABLE requests ADD COLUMN parent_id TEXT;
  ALTER TABLE requests ADD COLUMN purpose TEXT;
  ALTER TABLE requests ADD COLUMN iterator_json TEXT;
  ALTER TABLE requests ADD COLUMN record_count INTEGER NOT NULL DEFAULT 0;
  -- Follow-ups (iterator pages, reconciliation, re-reads) go before ordinary work.
  ALTER TABLE requests ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
  DROP INDEX requests_queue;
  CREATE INDEX requests_queue ON requests (instance_id, urgent DESC, priority DESC, seq) WHERE status = 'queued';
  CREATE UNIQUE INDEX requests_idempotency ON requests (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX requests_parent ON requests (parent_id) WHERE parent_id IS NOT NULL;
  CREATE INDEX requests_unknown ON requests (instance_id) WHERE status = 'unknown_outcome';

  -- Keyed by the request's integer seq, not its UUID, so new records append at the end
  -- of the tree instead of landing on a random page.
  CREATE TABLE records (
    request_seq   INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    response_id   INTEGER NOT NULL,
    rs_index      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    record_key    TEXT,
    edit_sequence TEXT,
    data          TEXT NOT NULL,
    PRIMARY KEY (request_seq, seq)
  ) WITHOUT ROWID;
  -- Keys are recorded only for iterated queries, which may restart and see records again.
  CREATE UNIQUE INDEX records_key ON records (request_seq, record_key) WHERE record_key IS NOT NULL;
  `,
  // 3: the high-water mark of a statement journal that versions before 6 kept.
  `
  CREATE TABLE journal_state (applied INTEGER NOT NULL);
  INSERT INTO journal_state (applied) VALUES (0);
  `,
  // 4: a large response's text lives in a file (path relative to the data folder), kept as
  // the Web Connector sent it — XML-escaped — instead of in response_chunks rows.
  `
  ALTER TABLE responses ADD COLUMN file TEXT;
  DROP TABLE response_chunks;
  `,
  // 5: records in a rowid table. Their rows are large (a record's JSON, kilobytes), which a
  // WITHOUT ROWID table stores poorly; (request_seq, seq) becomes a unique index.
  `
  CREATE TABLE records_v5 (
    id            INTEGER PRIMARY KEY,
    request_seq   INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    response_id   INTEGER NOT NULL,
    rs_index      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    record_key    TEXT,
    edit_sequence TEXT,
    data          TEXT NOT NULL
  );
  INSERT INTO records_v5 (request_seq, seq, response_id, rs_index, name, record_key, edit_sequence, data)
    SELECT request_seq, seq, response_id, rs_index, name, record_key, edit_sequence, data FROM records ORDER BY request_seq, seq;
  DROP TABLE records;
  ALTER TABLE records_v5 RENAME TO records;
  CREATE UNIQUE INDEX records_order ON records (request_seq, seq);
  CREATE UNIQUE INDEX records_key ON records (request_seq, record_key) WHERE record_key IS NOT NULL;
  `,
  // 6: units of work are plain SQLite transactions; the statement journal is gone.
  `
  DROP TABLE journal_state;
  `,
  // 7: the outbox: one row per (event, destination) — each instance has one destination, its
  // event.notification.* configuration — written with whatever produced the event.
  `
  CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY,
    event_id        TEXT NOT NULL UNIQUE,
    instance_id     TEXT NOT NULL REFERENCES instances (id),
    record_key      TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_status_code INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
  );
  CREATE INDEX deliveries_pending ON deliveries (instance_id, record_key, seq) WHERE status = 'pending';
  CREATE INDEX deliveries_instance ON deliveries (instance_id, seq);
  `,
  // 8: a connection's sync window (JSON {days, start, end}; NULL: any time).
  `
  ALTER TABLE instances ADD COLUMN sync_window TEXT;
  `,
  // 9: change detection in QuickBooks (main/forward/detection): settings per instance,
  // watermarks per instance and type, and the records it has reported.
  `
  CREATE TABLE detection_settings (
    instance_id      TEXT PRIMARY KEY REFERENCES instances (id),
    enabled          INTEGER NOT NULL,
    types_json       TEXT NOT NULL,
    start_mode       TEXT NOT NULL,
    interval_minutes INTEGER NOT NULL,
    last_run_at      INTEGER,
    updated_at       INTEGER NOT NULL
  );
  CREATE TABLE watermarks (
    instance_id          TEXT NOT NULL REFERENCES instances (id),
    type                 TEXT NOT NULL,
    changed_since        TEXT,
    deleted_since        TEXT,
    started_at           INTEGER,
    checked_at           INTEGER,
    deletions_checked_at INTEGER NOT NULL,
    changes_request_id   TEXT,
    changes_kind         TEXT,
    changes_from         TEXT,
    changes_seq          INTEGER NOT NULL,
    changes_max          TEXT,
    deleted_request_id   TEXT,
    deleted_basis        TEXT,
    reconcile_request_id TEXT,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (instance_id, type)
  ) WITHOUT ROWID;
  CREATE TABLE detected_records (
    instance_id   TEXT NOT NULL,
    type          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    edit_sequence TEXT,
    name          TEXT,
    time_created  TEXT,
    voided        INTEGER NOT NULL,
    seen_at       INTEGER NOT NULL,
    deleted_at    INTEGER,
    PRIMARY KEY (instance_id, type, record_id)
  ) WITHOUT ROWID;
  CREATE INDEX detected_records_name ON detected_records (instance_id, type, name COLLATE NOCASE) WHERE deleted_at IS NULL;
  `,
  // 10: the cloud link (main/cloud): a journal of the instances, sessions and requests that
  // changed while the link is on, written by triggers in the transaction that made the change
  // (nothing is lost between a commit and the push), and how far each kind was pushed. The
  // triggers read "enabled" of the link's settings row, 'cloudLink' (main/store/cloud.ts).
  `
  CREATE TABLE cloud_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    UNIQUE (kind, entity_id)
  );
  CREATE TABLE cloud_cursors (
    kind       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- AUTOINCREMENT: an entity changed again gets a seq above every one pushed, never a reused one.
  CREATE TRIGGER cloud_instance_added AFTER INSERT ON instances
    WHEN (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('instance', NEW.id); END;
  CREATE TRIGGER cloud_instance_changed AFTER UPDATE OF name, qbd_path, frequency_minutes, contact_json, configuration_json, deleted_at ON instances
    WHEN (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('instance', NEW.id); END;
  -- Sessions of no instance (an unknown user name) are no instance's to report.
  CREATE TRIGGER cloud_session_added AFTER INSERT ON sessions
    WHEN NEW.instance_id IS NOT NULL AND (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('session', NEW.id); END;
  CREATE TRIGGER cloud_session_changed AFTER UPDATE OF status, ended_at ON sessions
    WHEN NEW.instance_id IS NOT NULL AND (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('session', NEW.id); END;
  CREATE TRIGGER cloud_request_added AFTER INSERT ON requests
    WHEN (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('request', NEW.id); END;
  CREATE TRIGGER cloud_request_changed AFTER UPDATE OF status ON requests
    WHEN (SELECT json_extract(value, '$.enabled') FROM settings WHERE key = 'cloudLink') = 1
    BEGIN INSERT OR REPLACE INTO cloud_changes (kind, entity_id) VALUES ('request', NEW.id); END;
  `,
  // 11: several webhook destinations per instance (main/forward/destinations.ts): outbox rows
  // belong to (event, destination) — rows from before go to the configuration's destination;
  // the worker reads a destination's due rows off deliveries_due (no pass reads every pending
  // row); every attempt is a row of delivery_attempts (metrics, a destination's last delivery).
  `
  CREATE TABLE destinations (
    id             TEXT PRIMARY KEY,
    instance_id    TEXT NOT NULL REFERENCES instances (id),
    name           TEXT NOT NULL,
    url            TEXT NOT NULL,
    verifier_token TEXT NOT NULL,
    format         TEXT NOT NULL,
    objects_json   TEXT NOT NULL,
    enabled        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  );
  CREATE INDEX destinations_instance ON destinations (instance_id, created_at);

  ALTER TABLE deliveries ADD COLUMN destination_id TEXT NOT NULL DEFAULT 'configuration';
  DROP INDEX deliveries_pending;
  -- A pass takes a destination's rows due now, earliest first (entries end in seq), and stops at
  -- its limit; the first entry after now is when it next has work.
  CREATE INDEX deliveries_due ON deliveries (instance_id, destination_id, next_attempt_at) WHERE status = 'pending';
  -- Whether an older row of the same record waits: one record's rows go in order.
  CREATE INDEX deliveries_record ON deliveries (instance_id, destination_id, record_key, seq) WHERE status = 'pending';
  -- A Merge concerns two records, the one that survives (record_key) and the one merged away:
  -- it waits for, and holds back, the rows of both.
  ALTER TABLE deliveries ADD COLUMN merged_key TEXT;
  CREATE INDEX deliveries_merged ON deliveries (instance_id, destination_id, merged_key, seq) WHERE status = 'pending' AND merged_key IS NOT NULL;
  CREATE INDEX deliveries_dead ON deliveries (instance_id, destination_id) WHERE status = 'dead';

  CREATE TABLE delivery_attempts (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    delivery_seq   INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    result         TEXT NOT NULL
  );
  CREATE INDEX delivery_attempts_destination ON delivery_attempts (instance_id, destination_id, at);
  CREATE INDEX delivery_attempts_instance ON delivery_attempts (instance_id, at);
  `,
];
