-- Every department that led a case (dispatch's and rating's events name it): a department
-- reads a case it leads or led, no other. The cases led until now are known by their
-- current department only.
CREATE TABLE case_leads (
    case_id         uuid NOT NULL REFERENCES cases (id),
    department_code text NOT NULL,
    PRIMARY KEY (case_id, department_code)
);
INSERT INTO case_leads (case_id, department_code)
SELECT id, department_code FROM cases WHERE department_code <> ''
ON CONFLICT DO NOTHING;

-- Every call for a case's petitioner contacts, answered or refused: who asked, under which
-- role, when, for which case, and what it was told. Never the contacts themselves.
CREATE TABLE contact_reads (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL when the caller named no valid case id (what it sent is not kept).
    case_id  uuid,
    caller   text NOT NULL,
    role     text NOT NULL,
    at       timestamptz NOT NULL,
    -- answered, not_awaiting_rating, unknown_case, invalid_case_id
    outcome  text NOT NULL,
    -- How many petitioners' contacts were given (0 when refused).
    contacts integer NOT NULL
);
CREATE INDEX contact_reads_case ON contact_reads (case_id, at);
