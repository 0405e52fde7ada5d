-- One row per case version, written by the unit of work with the event that made it: the
-- audit trail an office supervisor reads, the same shape in every service.
CREATE TABLE IF NOT EXISTS case_history (
    case_id    uuid NOT NULL,
    version    bigint NOT NULL,
    state      text NOT NULL,
    event_type text NOT NULL,
    event_id   text NOT NULL,
    actor      text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL,
    PRIMARY KEY (case_id, version)
);
