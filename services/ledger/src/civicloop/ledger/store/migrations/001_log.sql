-- The log. Appends are staged (pending_entries) and integrated in batches by the sequencer,
-- which gives each its leaf index, stores the complete subtrees it finishes and, at the
-- signing interval, signs a checkpoint. What the sequencer wrote is never changed: the
-- database itself refuses UPDATE, DELETE and TRUNCATE on the log's tables.

-- Accepted appends not integrated yet. Durable (an acknowledged append is never lost) and
-- unique by event id; the sequencer deletes what it integrates.
CREATE TABLE pending_entries (
    seq           bigserial PRIMARY KEY,
    event_id      text NOT NULL UNIQUE,
    event_type    text NOT NULL,
    subject       text NOT NULL,
    event_sha256  bytea NOT NULL CHECK (length(event_sha256) = 32),
    appended_by   text NOT NULL,
    appended_at   timestamptz NOT NULL DEFAULT now(),
    occurred_at   timestamptz
);

-- One row per leaf; the leaf's bytes (ledger.proto's leaf_data) are rebuilt from the columns,
-- so a changed column changes what the log serves and the verifier names the entry.
CREATE TABLE log_entries (
    leaf_index    bigint PRIMARY KEY CHECK (leaf_index >= 0),
    event_id      text NOT NULL UNIQUE,
    event_type    text NOT NULL,
    subject       text NOT NULL,
    event_sha256  bytea NOT NULL,
    appended_by   text NOT NULL,
    appended_at   timestamptz NOT NULL,
    occurred_at   timestamptz,
    integrated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_entries_by_subject ON log_entries (subject, leaf_index);

-- The hash of every complete subtree (level, index) of the tree: level 0 the leaf hashes.
-- A root or proof at any size reads O(log n) of them (civicloop.tlog.tree's plans), and the
-- tiles served over HTTP are ranges of them.
CREATE TABLE subtrees (
    level  smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
    index  bigint NOT NULL CHECK (index >= 0),
    hash   bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, index)
);

-- Signed tree heads: one per tree size, ever (the primary key), signed under the
-- sequencer's lock.
CREATE TABLE checkpoints (
    tree_size   bigint PRIMARY KEY CHECK (tree_size >= 0),
    root_hash   bytea NOT NULL CHECK (length(root_hash) = 32),
    -- The signed note: body, blank line, the log's signature line.
    note        text NOT NULL,
    key_name    text NOT NULL,
    public_key  bytea NOT NULL,
    signed_at   timestamptz NOT NULL
);

-- Witnesses' cosignature lines, added as they answer (a checkpoint may gain more later).
CREATE TABLE cosignatures (
    tree_size     bigint NOT NULL REFERENCES checkpoints (tree_size),
    witness_name  text NOT NULL,
    line          text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tree_size, witness_name)
);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger''s % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

-- Every table of the log refuses changes and truncation; cosignatures may only be added too.
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['log_entries', 'subtrees', 'checkpoints', 'cosignatures'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
                       name || '_append_only', name);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()',
                       name || '_no_truncate', name);
    END LOOP;
END
$$;
