-- The transactional outbox: an event row is written in the same transaction as the change it
-- reports; the relay publishes it and marks it sent only after the broker's confirm.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE,
    event_type    text NOT NULL,
    source        text NOT NULL,
    subject       text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    payload       bytea NOT NULL,
    -- W3C trace context the publish continues (the case's trace).
    trace_headers jsonb NOT NULL DEFAULT '{}',
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- The inbox: one row per applied event, written in the same transaction as its effect, so a
-- redelivered event changes nothing.
CREATE TABLE inbox (
    event_id    text PRIMARY KEY,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
