-- History for any aggregate, not only cases: the ledger's entries, amenities, batches and
-- credentials have versions too. Existing case rows keep their place as aggregate 'case'.
ALTER TABLE case_history RENAME TO history;
ALTER TABLE history RENAME COLUMN case_id TO aggregate_id;
ALTER TABLE history ALTER COLUMN aggregate_id TYPE text;
ALTER TABLE history ADD COLUMN aggregate_type text NOT NULL DEFAULT 'case';
ALTER TABLE history ALTER COLUMN aggregate_type DROP DEFAULT;
ALTER TABLE history DROP CONSTRAINT case_history_pkey;
ALTER TABLE history ADD PRIMARY KEY (aggregate_type, aggregate_id, version);

-- Idempotent commands of every service (civicloop.platform.commands): a caller's request id
-- is bound to one request and answered the same way each time it comes. Dispatch kept a
-- table of this name keyed by the request id alone: its rows answered retries of commands
-- long finished and cannot be given a caller afterwards, so it gives way.
DROP TABLE IF EXISTS command_requests;
CREATE TABLE command_requests (
    -- Whose key space: a token's subject, an Open311 client.
    caller       text NOT NULL,
    request_id   text NOT NULL,
    command      text NOT NULL,
    -- A digest of the request (keyed where the request carries personal data).
    request_hash bytea NOT NULL,
    -- The role the first request was authorized under; a repeat needs it too.
    authority    text NOT NULL DEFAULT '',
    -- The first answer; NULL only inside the transaction that claimed the key.
    response     bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, request_id)
);
