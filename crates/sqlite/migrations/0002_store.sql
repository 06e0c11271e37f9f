-- AI queries, by id and by owner newest first.
CREATE TABLE ai_queries (
    id                TEXT    PRIMARY KEY,
    owner             TEXT    NOT NULL,
    prompt            TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    answer            TEXT,
    citations         TEXT    NOT NULL DEFAULT '[]',
    error             TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    model             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
);
CREATE INDEX ai_queries_by_owner ON ai_queries (owner, created_at_ms DESC, id DESC);

-- Idempotency-Key → the query it created, per owner.
CREATE TABLE idempotency_keys (
    owner         TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    query_id      TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
);

-- Customers (Salesforce Accounts). The *_key columns serve sorting and search.
CREATE TABLE customers (
    id                 TEXT    PRIMARY KEY,
    name               TEXT    NOT NULL,
    account_type       TEXT,
    industry           TEXT,
    annual_revenue     REAL,
    billing_city       TEXT,
    billing_country    TEXT,
    phone              TEXT,
    website            TEXT,
    owner_id           TEXT,
    system_modstamp_ms INTEGER NOT NULL,
    is_deleted         INTEGER NOT NULL,
    synced_at_ms       INTEGER NOT NULL,
    name_key           TEXT    NOT NULL,
    revenue_key        REAL    NOT NULL,
    search_text        TEXT    NOT NULL
);
CREATE INDEX customers_by_name ON customers (is_deleted, name_key, id);
CREATE INDEX customers_by_revenue ON customers (is_deleted, revenue_key, id);
CREATE INDEX customers_by_modified ON customers (is_deleted, system_modstamp_ms, id);

-- Sync runs (the run document as JSON), newest first.
CREATE TABLE sync_runs (
    id            TEXT    PRIMARY KEY,
    created_at_ms INTEGER NOT NULL,
    body          TEXT    NOT NULL
);
CREATE INDEX sync_runs_newest ON sync_runs (created_at_ms DESC, id DESC);

-- Watermark per synced object.
CREATE TABLE sync_watermarks (
    object       TEXT    PRIMARY KEY,
    watermark_ms INTEGER NOT NULL
);

-- Named leases with an expiry.
CREATE TABLE leases (
    name          TEXT    PRIMARY KEY,
    holder        TEXT    NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
