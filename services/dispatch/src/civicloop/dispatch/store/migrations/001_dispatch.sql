-- corrects: 7af1740240650c52bc249aa4cb67db454d28f7159030346b5bfb8548080b9d9d
-- (command_requests moved to the platform's migration 004, which runs first)

CREATE TABLE departments (
    code    text PRIMARY KEY,
    name    text NOT NULL,
    name_en text NOT NULL DEFAULT '',
    kind    text NOT NULL,
    active  boolean NOT NULL DEFAULT true
);

-- One row: the catalogue's version, bumped by every audited edit.
CREATE TABLE catalogue_meta (
    id                       integer PRIMARY KEY CHECK (id = 1),
    version                  bigint NOT NULL,
    fallback_department_code text NOT NULL REFERENCES departments (code)
);

CREATE TABLE duty_rules (
    category_code              text NOT NULL,
    community_code             text NOT NULL, -- '' is the district-wide rule
    lead_department_code       text NOT NULL, -- '' means the office chooses among candidates
    assisting_department_codes text[] NOT NULL DEFAULT '{}',
    fallback_department_code   text NOT NULL DEFAULT '',
    candidate_department_codes text[] NOT NULL DEFAULT '{}',
    version                    bigint NOT NULL DEFAULT 1,
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    updated_by                 text NOT NULL DEFAULT 'seed',
    PRIMARY KEY (category_code, community_code)
);

-- Who changed the catalogue, when, why, and what it was before and after.
CREATE TABLE duty_rule_changes (
    change_id         uuid PRIMARY KEY,
    catalogue_version bigint NOT NULL,
    category_code     text NOT NULL,
    community_code    text NOT NULL,
    before            jsonb,
    after             jsonb,
    reason            text NOT NULL,
    changed_at        timestamptz NOT NULL,
    changed_by        text NOT NULL,
    changed_role      text NOT NULL
);
CREATE INDEX duty_rule_changes_time ON duty_rule_changes (changed_at DESC);

CREATE TABLE cases (
    case_id                  uuid PRIMARY KEY,
    version                  bigint NOT NULL,
    community_code           text NOT NULL,
    category_code            text NOT NULL,
    case_list                text NOT NULL,
    urgency                  text NOT NULL,
    summary                  text NOT NULL,
    traceparent              text NOT NULL,
    state                    text NOT NULL,
    awaiting_reason          text NOT NULL DEFAULT '',
    current_assignment_id    uuid,
    return_count             integer NOT NULL DEFAULT 0,
    reopen_count             integer NOT NULL DEFAULT 0,
    rounds                   integer NOT NULL DEFAULT 0,
    fallback_department_code text NOT NULL DEFAULT '',
    opened_at                timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);
CREATE INDEX cases_state ON cases (state);

CREATE TABLE assignments (
    id                  uuid PRIMARY KEY,
    case_id             uuid NOT NULL REFERENCES cases (case_id),
    department_code     text NOT NULL,
    assisting           text[] NOT NULL DEFAULT '{}',
    round               integer NOT NULL,
    automatic           boolean NOT NULL,
    state               text NOT NULL,
    note                text NOT NULL DEFAULT '',
    dispatched_at       timestamptz NOT NULL,
    dispatched_by       text NOT NULL,
    dispatched_role     text NOT NULL,
    accept_due_at       timestamptz NOT NULL,
    complete_due_at     timestamptz,
    accepted_at         timestamptz,
    completed_at        timestamptz,
    ended_at            timestamptz,
    progress_percent    integer NOT NULL DEFAULT 0,
    result_summary      text NOT NULL DEFAULT '',
    result_attachments  jsonb NOT NULL DEFAULT '[]',
    return_reason_code  text NOT NULL DEFAULT '',
    return_reason_text  text NOT NULL DEFAULT '',
    escalation_rung     text,
    approved_extensions integer NOT NULL DEFAULT 0
);
CREATE INDEX assignments_department ON assignments (department_code, state);
CREATE INDEX assignments_case ON assignments (case_id, round);
CREATE INDEX assignments_accept_due ON assignments (accept_due_at) WHERE state = 'dispatched';
CREATE INDEX assignments_complete_due ON assignments (complete_due_at) WHERE state = 'in_progress';

-- The 我为群众办实事 handling form: one row per update.
CREATE TABLE handling_entries (
    id                     uuid PRIMARY KEY,
    case_id                uuid NOT NULL REFERENCES cases (case_id),
    assignment_id          uuid NOT NULL REFERENCES assignments (id),
    measures_taken         text NOT NULL,
    progress_percent       integer NOT NULL CHECK (progress_percent BETWEEN 0 AND 100),
    expected_completion_at timestamptz,
    attachments            jsonb NOT NULL DEFAULT '[]',
    at                     timestamptz NOT NULL,
    actor                  text NOT NULL
);
CREATE INDEX handling_entries_assignment ON handling_entries (assignment_id, at);

CREATE TABLE extensions (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES cases (case_id),
    assignment_id    uuid NOT NULL REFERENCES assignments (id),
    state            text NOT NULL,
    previous_due_at  timestamptz NOT NULL,
    requested_due_at timestamptz NOT NULL,
    reason           text NOT NULL,
    requested_at     timestamptz NOT NULL,
    requested_by     text NOT NULL,
    granted_due_at   timestamptz,
    note             text NOT NULL DEFAULT '',
    decided_at       timestamptz,
    decided_by       text
);
CREATE INDEX extensions_assignment ON extensions (assignment_id);

CREATE TABLE escalations (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (case_id),
    assignment_id   uuid NOT NULL REFERENCES assignments (id),
    department_code text NOT NULL,
    community_code  text NOT NULL,
    rung            text NOT NULL,
    deadline        text NOT NULL,
    due_at          timestamptz NOT NULL,
    escalated_at    timestamptz NOT NULL
);
CREATE INDEX escalations_case ON escalations (case_id, escalated_at);
