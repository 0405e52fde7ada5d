-- A case as rating knows it: what its petitioners are shown (all of it already redacted by
-- intake and dispatch), the current round, and where it stands in 评单.
CREATE TABLE cases (
    case_id          uuid PRIMARY KEY,
    version          bigint NOT NULL,
    state            text NOT NULL,
    community_code   text NOT NULL DEFAULT '',
    category_code    text NOT NULL DEFAULT '',
    summary          text NOT NULL DEFAULT '',
    -- The petitions of the case (from case.opened): one link each per round.
    petition_ids     uuid[] NOT NULL DEFAULT '{}',
    traceparent      text NOT NULL DEFAULT '',
    department_code  text NOT NULL DEFAULT '',
    round            integer NOT NULL DEFAULT 0,
    result_summary   text NOT NULL DEFAULT '',
    completed_at     timestamptz,
    complete_due_at  timestamptz,
    reopen_count     integer NOT NULL DEFAULT 0,
    closed_as        text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Single-use links, one per petition and round. The token is never stored: only its SHA-256.
CREATE TABLE rating_links (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES cases (case_id),
    petition_id  uuid NOT NULL,
    round        integer NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    state        text NOT NULL,
    delivery     text NOT NULL,
    satisfied    boolean,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    -- A send that ran out of attempts (the gateway down) is tried again after this.
    send_after   timestamptz NOT NULL DEFAULT '-infinity',
    UNIQUE (case_id, round, petition_id)
);
CREATE INDEX rating_links_pending ON rating_links (expires_at) WHERE state = 'pending';
CREATE INDEX rating_links_unsent ON rating_links (send_after) WHERE delivery = 'queued';

CREATE TABLE ratings (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES cases (case_id),
    petition_id      uuid NOT NULL,
    round            integer NOT NULL,
    department_code  text NOT NULL,
    community_code   text NOT NULL,
    score            integer NOT NULL CHECK (score BETWEEN 1 AND 5),
    -- Redacted.
    comment          text NOT NULL,
    rated_at         timestamptz NOT NULL,
    UNIQUE (case_id, round, petition_id)
);
CREATE INDEX ratings_newest ON ratings (rated_at DESC, id DESC);
CREATE INDEX ratings_case ON ratings (case_id);

-- Each attempt to deliver a link by SMS: no phone number, no text, no token.
CREATE TABLE sms_attempts (
    id           bigserial PRIMARY KEY,
    link_id      uuid NOT NULL REFERENCES rating_links (id),
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL,
    status_code  integer,
    error        text NOT NULL DEFAULT ''
);
CREATE INDEX sms_attempts_link ON sms_attempts (link_id);

-- The counts the three rates are computed from, per department, community and Shanghai
-- month, kept as events arrive so that GetRates sums a few thousand rows, not every rating.
CREATE TABLE rate_counts (
    department_code  text NOT NULL,
    community_code   text NOT NULL,
    month            text NOT NULL,
    rated            bigint NOT NULL DEFAULT 0,
    satisfied        bigint NOT NULL DEFAULT 0,
    completed        bigint NOT NULL DEFAULT 0,
    on_time          bigint NOT NULL DEFAULT 0,
    closed           bigint NOT NULL DEFAULT 0,
    resolved         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (department_code, community_code, month)
);
CREATE INDEX rate_counts_month ON rate_counts (month);
