-- The ordex service store. Applied in one transaction at start-up; the
-- version in `meta` guards against running an older binary on a newer file.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every accepted event, as normalized, with the provider payload it came from.
CREATE TABLE IF NOT EXISTS events (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    customer_id  TEXT,
    occurred_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    case_id      INTEGER NOT NULL,
    tracking     TEXT,
    event_json   TEXT NOT NULL,
    raw_payload  TEXT,
    -- sha256 of the canonical event (or provider payload): a reused id with
    -- other content is refused, a replay of the same content is a duplicate.
    content_hash TEXT
);
CREATE INDEX IF NOT EXISTS events_order ON events(order_id, seq);
CREATE INDEX IF NOT EXISTS events_customer ON events(customer_id, seq);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, seq);
CREATE INDEX IF NOT EXISTS events_tracking ON events(tracking) WHERE tracking IS NOT NULL;

-- What the active bundle decided for each event (or why it could not).
CREATE TABLE IF NOT EXISTS decisions (
    event_seq      INTEGER PRIMARY KEY REFERENCES events(seq),
    bundle_id      TEXT NOT NULL,
    evaluated_at   TEXT NOT NULL,
    ok             INTEGER NOT NULL,
    route          TEXT NOT NULL,
    answer_json    TEXT NOT NULL,
    retry_plan     TEXT,
    fuel           INTEGER,
    -- The triage call as evaluated (input with the order's earlier
    -- attempts, context, now): replaying it on the bundle gives this
    -- decision again, with a trace when asked. Stored compressed (raw
    -- DEFLATE) in call_z; call_json holds it as text in older rows.
    call_json      TEXT,
    call_z         BLOB
);

-- Exceptions grouped per order: at most one open case per order.
CREATE TABLE IF NOT EXISTS cases (
    id              INTEGER PRIMARY KEY,
    order_id        TEXT NOT NULL,
    customer_id     TEXT,
    customer_tier   TEXT,
    kind            TEXT NOT NULL,
    kinds           TEXT NOT NULL,
    category        TEXT NOT NULL,
    status          TEXT NOT NULL,
    route           TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    priority_score  INTEGER NOT NULL,
    sla_due         TEXT NOT NULL,
    assignee        TEXT,
    opened_at       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    event_count     INTEGER NOT NULL,
    last_event_seq  INTEGER NOT NULL,
    outcome         TEXT,
    resolved_at     TEXT,
    resolved_by     TEXT,
    -- The incident that explains the case (a gateway or carrier in trouble).
    incident_id     INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS cases_one_open_per_order ON cases(order_id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS cases_queue_priority ON cases(status, priority_score DESC, id);
CREATE INDEX IF NOT EXISTS cases_queue_sla ON cases(status, sla_due, id);
CREATE INDEX IF NOT EXISTS cases_customer ON cases(customer_id, status);
CREATE INDEX IF NOT EXISTS cases_status_route ON cases(status, route);

CREATE TABLE IF NOT EXISTS notes (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    author   TEXT NOT NULL,
    text     TEXT NOT NULL,
    at       TEXT NOT NULL
);

-- How agents closed cases: kept for learning which decisions worked.
CREATE TABLE IF NOT EXISTS outcomes (
    case_id      INTEGER PRIMARY KEY REFERENCES cases(id),
    outcome      TEXT NOT NULL,
    kinds        TEXT NOT NULL,
    category     TEXT NOT NULL,
    route        TEXT NOT NULL,
    bundle_id    TEXT NOT NULL,
    resolved_by  TEXT NOT NULL,
    note         TEXT,
    at           TEXT NOT NULL
);

-- The action outbox. An idempotency key is stored once, ever. An action
-- belongs to a case (and the event that caused it) or to an incident
-- (its notification); `held` actions wait for their incident to end.
CREATE TABLE IF NOT EXISTS actions (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER REFERENCES cases(id),
    event_seq        INTEGER REFERENCES events(seq),
    incident_id      INTEGER REFERENCES incidents(id),
    type             TEXT NOT NULL,
    params_json      TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL,
    due_at           TEXT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    lease_until      TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX IF NOT EXISTS actions_due ON actions(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS actions_case ON actions(case_id);

-- Rule bundles ever uploaded; `active` marks the one in use.
CREATE TABLE IF NOT EXISTS bundles (
    id            TEXT PRIMARY KEY,
    bundle_json   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    tests_passed  INTEGER NOT NULL,
    tests_total   INTEGER NOT NULL,
    activated_at  TEXT,
    active        INTEGER NOT NULL DEFAULT 0
);

-- Watched series: the current bucket's count, the detector's state and the
-- recent closed buckets (what the console charts).
CREATE TABLE IF NOT EXISTS series (
    metric        TEXT NOT NULL,
    scope         TEXT NOT NULL,
    bucket_start  TEXT NOT NULL,
    count         INTEGER NOT NULL,
    state_json    TEXT NOT NULL,
    history_json  TEXT NOT NULL,
    PRIMARY KEY (metric, scope)
);
CREATE INDEX IF NOT EXISTS series_due ON series(bucket_start);

-- Incidents opened by the detectors: at most one unresolved per series.
CREATE TABLE IF NOT EXISTS incidents (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    metric           TEXT NOT NULL,
    scope            TEXT NOT NULL,
    direction        TEXT NOT NULL,
    status           TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    acknowledged_at  TEXT,
    acknowledged_by  TEXT,
    resolved_at      TEXT,
    resolved_by      TEXT,
    peak_score       REAL NOT NULL,
    baseline         REAL NOT NULL,
    evidence_json    TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_unresolved ON incidents(metric, scope) WHERE status != 'resolved';
CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status, id);

-- What payment retries achieved, per learner segment (counts the retry
-- learner reads), and each recorded outcome.
CREATE TABLE IF NOT EXISTS retry_stats (
    key        TEXT PRIMARY KEY,
    successes  INTEGER NOT NULL,
    failures   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS retry_outcomes (
    id           INTEGER PRIMARY KEY,
    order_id     TEXT NOT NULL,
    action_id    INTEGER NOT NULL REFERENCES actions(id),
    at           TEXT NOT NULL,
    approved     INTEGER NOT NULL,
    segment      TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS retry_outcomes_order ON retry_outcomes(order_id, id);
