-- The embedded job queue. One row per message; `dead = 1` is the dead-letter queue.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    queue         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    visible_at_ms INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT,
    dead          INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);

-- Receiving scans the live messages of one queue in visibility order.
CREATE INDEX jobs_ready ON jobs (queue, dead, visible_at_ms, id);
