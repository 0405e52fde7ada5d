-- Each case event publication consumed, as one step (at most once: the inbox keeps event
-- ids). The public case is folded from its steps, so their arrival order never matters.
-- The text is redacted; facts hold codes and numbers, never free text.
CREATE TABLE case_steps (
    event_id         text PRIMARY KEY,
    case_id          uuid NOT NULL,
    version          bigint NOT NULL,
    kind             text NOT NULL,
    at               timestamptz NOT NULL,
    department_code  text NOT NULL DEFAULT '',
    text             text NOT NULL DEFAULT '',
    facts            jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_steps_case ON case_steps (case_id);
-- The statistics page counts steps by kind and month.
CREATE INDEX case_steps_kind_at ON case_steps (kind, at);

-- The public read model: one row per case, rebuilt from its steps at every event.
CREATE TABLE public_cases (
    case_id           uuid PRIMARY KEY,
    version           bigint NOT NULL,
    state             text NOT NULL,
    -- Not a petition still being consolidated, not a case merged into another.
    public            boolean NOT NULL,
    escalated         boolean NOT NULL DEFAULT false,
    category_code     text NOT NULL DEFAULT '',
    community_code    text NOT NULL DEFAULT '',
    case_list         text NOT NULL DEFAULT '',
    board_lists       text[] NOT NULL DEFAULT '{}',
    summary           text NOT NULL DEFAULT '',
    petition_count    integer NOT NULL DEFAULT 0,
    -- Coarsened to 3 decimals (about 100 m).
    latitude          double precision,
    longitude         double precision,
    department_code   text NOT NULL DEFAULT '',
    progress_percent  integer NOT NULL DEFAULT 0,
    latest_measures   text NOT NULL DEFAULT '',
    result_summary    text NOT NULL DEFAULT '',
    score_total       integer NOT NULL DEFAULT 0,
    rating_count      integer NOT NULL DEFAULT 0,
    satisfied_count   integer NOT NULL DEFAULT 0,
    merged_into       uuid,
    -- The Asia/Shanghai month the case was opened in ("YYYY-MM"), the board's month filter.
    month             text NOT NULL DEFAULT '',
    opened_at         timestamptz,
    dispatched_at     timestamptz,
    completed_at      timestamptz,
    closed_at         timestamptz,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX public_cases_board ON public_cases (updated_at DESC, case_id DESC) WHERE public;
CREATE INDEX public_cases_lists ON public_cases USING gin (board_lists) WHERE public;
CREATE INDEX public_cases_community ON public_cases (community_code, updated_at DESC) WHERE public;
CREATE INDEX public_cases_category ON public_cases (category_code, updated_at DESC) WHERE public;

CREATE TABLE batches (
    batch_id      uuid PRIMARY KEY,
    state         text NOT NULL,
    title         text NOT NULL,
    description   text NOT NULL,
    filter        jsonb NOT NULL,
    board_list    text NOT NULL DEFAULT '',
    case_ids      uuid[] NOT NULL,
    version       bigint NOT NULL,
    edition       integer NOT NULL DEFAULT 0,
    channels      text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL,
    created_by    jsonb NOT NULL,
    published_at  timestamptz,
    published_by  jsonb,
    -- Every correction, oldest first: the edition it made, why, and what changed.
    corrections   jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX batches_newest ON batches (created_at DESC, batch_id DESC);
CREATE INDEX batches_published ON batches (published_at DESC, batch_id DESC)
    WHERE state = 'published';
CREATE INDEX batches_cases ON batches USING gin (case_ids) WHERE state = 'published';

-- Media channels' webhooks. The secret is sealed (AES-256-GCM, PUBLICATION_SECRET_KEY) and
-- destroyed on deletion; listings show the fingerprint only.
CREATE TABLE webhooks (
    webhook_id            uuid PRIMARY KEY,
    channel               text NOT NULL,
    url                   text NOT NULL,
    event_types           text[] NOT NULL,
    description           text NOT NULL DEFAULT '',
    sealed_secret         bytea,
    secret_fingerprint    text NOT NULL,
    created_at            timestamptz NOT NULL,
    created_by            jsonb NOT NULL,
    deleted_at            timestamptz,
    last_delivery_at      timestamptz,
    last_delivery_status  integer NOT NULL DEFAULT 0,
    consecutive_failures  integer NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_channel ON webhooks (channel, created_at) WHERE deleted_at IS NULL;

-- One delivery per webhook and event, written in the transaction that published or
-- corrected the batch (an outbox towards the media); the body is fixed then, so every
-- retry and replay sends the same bytes under the same webhook-id.
CREATE TABLE webhook_deliveries (
    delivery_id      uuid PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (webhook_id),
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    body             bytea NOT NULL,
    state            text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    last_status      integer NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    next_attempt_at  timestamptz NOT NULL,
    -- Retries stop after this (the contract's 24 hours), and the delivery is dead.
    give_up_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (created_at DESC, delivery_id DESC);
