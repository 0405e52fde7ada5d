CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE cases (
    id              uuid PRIMARY KEY,
    state           text NOT NULL,
    version         bigint NOT NULL,
    community_code  text NOT NULL,
    category_code   text NOT NULL,
    latitude        double precision,
    longitude       double precision,
    list            text,
    urgency         text,
    summary         text NOT NULL DEFAULT '',
    merged_into     uuid REFERENCES cases (id),
    traceparent     text NOT NULL DEFAULT '',
    department_code text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX cases_state ON cases (state, created_at);
CREATE INDEX cases_community ON cases (community_code, created_at);

CREATE TABLE petitions (
    id                 uuid PRIMARY KEY,
    case_id            uuid NOT NULL REFERENCES cases (id),
    channel            text NOT NULL,
    community_code     text NOT NULL,
    category_code      text NOT NULL,
    latitude           double precision,
    longitude          double precision,
    -- Redacted text: what departments and the public may read.
    description        text NOT NULL,
    -- The same text as CJK bigrams, for pg_trgm near-duplicate search (see similarity.py).
    description_grams  text NOT NULL,
    -- AES-GCM sealed petitioner name, phone and original text: personal data, never in clear.
    petitioner_sealed  bytea NOT NULL,
    -- Keyed hash of the phone, to find a petitioner's petitions without decrypting.
    phone_hash         bytea NOT NULL,
    submitted_by       text NOT NULL,
    submitted_role     text NOT NULL,
    submitted_at       timestamptz NOT NULL,
    resolved_on_site   boolean NOT NULL DEFAULT false
);
CREATE INDEX petitions_case ON petitions (case_id);
CREATE INDEX petitions_category_time ON petitions (category_code, submitted_at);
CREATE INDEX petitions_community_time ON petitions (community_code, submitted_at);
CREATE INDEX petitions_phone ON petitions (phone_hash);
CREATE INDEX petitions_grams ON petitions USING gin (description_grams gin_trgm_ops);

-- Idempotency-Key (HTTP) and request_id (gRPC): a repeat returns the first petition.
CREATE TABLE submissions (
    idempotency_key text PRIMARY KEY,
    request_hash    bytea NOT NULL,
    petition_id     uuid NOT NULL REFERENCES petitions (id) DEFERRABLE INITIALLY DEFERRED,
    created_at      timestamptz NOT NULL DEFAULT now()
);

