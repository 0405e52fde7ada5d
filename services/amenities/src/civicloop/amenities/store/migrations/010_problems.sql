-- Report moderation and the problems confirmed reports reveal (domain/reports.py).
ALTER TABLE amenity_reports
    ADD COLUMN moderated_at     timestamptz,
    ADD COLUMN moderated_by     text NOT NULL DEFAULT '',
    ADD COLUMN rejection_reason text NOT NULL DEFAULT '';

-- One row per confirmed problem with an amenity: the petition filed for it in intake and the
-- case that handles it, followed from the case events.
CREATE TABLE amenity_problems (
    problem_id     uuid PRIMARY KEY,
    amenity_id     uuid NOT NULL REFERENCES amenities (amenity_id),
    community_code text NOT NULL,
    reason_code    text NOT NULL,
    opened_at      timestamptz NOT NULL,
    report_ids     uuid[] NOT NULL,
    state          text NOT NULL,
    petition_id    text NOT NULL DEFAULT '',
    case_id        text NOT NULL DEFAULT '',
    case_state     text NOT NULL DEFAULT '',
    fixed_at       timestamptz,
    version        bigint NOT NULL,
    -- The petitioner of record until intake has the petition: the confirming worker's work
    -- contact (网格员代办), cleared once filed. Never a resident's.
    filer_name     text,
    filer_phone    text
);
-- At most one open problem per amenity and reason: repeat reports join it.
CREATE UNIQUE INDEX amenity_problems_one_open
    ON amenity_problems (amenity_id, reason_code) WHERE state <> 'fixed';
CREATE INDEX amenity_problems_by_amenity ON amenity_problems (amenity_id, opened_at DESC);
CREATE INDEX amenity_problems_by_case ON amenity_problems (case_id) WHERE case_id <> '';
CREATE INDEX amenity_problems_by_petition ON amenity_problems (petition_id) WHERE petition_id <> '';
CREATE INDEX amenity_problems_filing ON amenity_problems (opened_at) WHERE state = 'filing';
