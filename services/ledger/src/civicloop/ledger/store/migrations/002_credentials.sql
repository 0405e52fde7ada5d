-- Credentials of the monthly old-age subsidy verification. The ledger keeps the issued VC and
-- what it says (a salted holder hash, never the holder), and the revocation bits.

-- Bitstring Status Lists: 131,072 bits each, bit i for the credential given index i.
CREATE TABLE status_lists (
    status_list_id  text PRIMARY KEY,
    bits            bytea NOT NULL,
    next_index      integer NOT NULL DEFAULT 0,
    version         bigint NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credentials (
    credential_id           text PRIMARY KEY,
    community_code          text NOT NULL,
    holder_hash             text NOT NULL CHECK (holder_hash ~ '^[0-9a-f]{64}$'),
    period                  text NOT NULL,
    evidence_type           text NOT NULL,
    verified_at             timestamptz NOT NULL,
    status                  text NOT NULL CHECK (status IN ('active', 'revoked')),
    valid_from              timestamptz NOT NULL,
    valid_until             timestamptz NOT NULL,
    status_list_id          text NOT NULL REFERENCES status_lists (status_list_id),
    status_list_index       integer NOT NULL,
    -- The log entry that evidences the issuance (its leaf digest is SHA-256 of the VC's JCS).
    issuance_event_id       text NOT NULL UNIQUE,
    issued_at               timestamptz NOT NULL,
    issued_by_subject       text NOT NULL,
    issued_by_role          text NOT NULL,
    revoked_at              timestamptz,
    revocation_reason_code  text NOT NULL DEFAULT '',
    revocation_reason_text  text NOT NULL DEFAULT '',
    revocation_request_id   text NOT NULL DEFAULT '',
    version                 bigint NOT NULL,
    vc_json                 text NOT NULL,
    UNIQUE (status_list_id, status_list_index)
);
-- One active credential per holder, community and month.
CREATE UNIQUE INDEX credentials_one_active ON credentials (community_code, holder_hash, period)
    WHERE status = 'active';

INSERT INTO status_lists (status_list_id, bits) VALUES ('1', decode(repeat('00', 16384), 'hex'));
