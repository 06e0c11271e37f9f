-- Local edits of customers waiting for a manual sync to push them to Salesforce.
-- `changes` is the JSON list of changed fields; `version` grows with every recorded change.
CREATE TABLE customer_edits (
    customer_id  TEXT    PRIMARY KEY,
    changes      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    edited_at_ms INTEGER NOT NULL
);
