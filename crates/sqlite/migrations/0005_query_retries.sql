-- Why a query that was already tried waits, and when it is due again.
ALTER TABLE ai_queries ADD COLUMN notice TEXT;
ALTER TABLE ai_queries ADD COLUMN retry_at_ms INTEGER;

-- The sweep reads QUEUED queries by the time they are due.
CREATE INDEX ai_queries_queued_due ON ai_queries (COALESCE(retry_at_ms, updated_at_ms))
    WHERE status = 'QUEUED';
