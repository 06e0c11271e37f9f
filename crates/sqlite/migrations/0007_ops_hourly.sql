-- The Operations page's per-hour rollups: one row per hour and name, a count every process
-- adds to or a high it raises.
CREATE TABLE ops_hourly (
    hour_ms INTEGER NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (hour_ms, name)
) WITHOUT ROWID;
