-- The registry of shared facilities (幸福共享家). One row per amenity, its current version;
-- every version is in the platform's history table (aggregate 'amenity'), with who made it.
CREATE TABLE amenities (
    amenity_id            uuid PRIMARY KEY,
    community_code        text NOT NULL,
    kind                  text NOT NULL,
    name                  text NOT NULL,
    description           text NOT NULL DEFAULT '',
    -- The merchant, absent (NULL name) for the community's own facilities.
    merchant_name         text,
    merchant_credit_code  text NOT NULL DEFAULT '',
    merchant_public_phone text NOT NULL DEFAULT '',
    merchant_enrolled     boolean NOT NULL DEFAULT false,
    merchant_sign_number  text NOT NULL DEFAULT '',
    -- WGS-84 degrees.
    latitude              double precision NOT NULL,
    longitude             double precision NOT NULL,
    address               text NOT NULL,
    opening_hours         text NOT NULL,
    access                text NOT NULL,
    wheelchair_accessible boolean NOT NULL DEFAULT false,
    baby_change           boolean NOT NULL DEFAULT false,
    all_gender            boolean NOT NULL DEFAULT false,
    fee_fen               bigint NOT NULL DEFAULT 0,
    state                 text NOT NULL,
    version               bigint NOT NULL,
    registered_at         timestamptz NOT NULL,
    registered_by         text NOT NULL,
    registered_role       text NOT NULL,
    updated_at            timestamptz NOT NULL,
    verified_at           timestamptz NOT NULL,
    withdrawn_at          timestamptz,
    withdrawal_reason     text NOT NULL DEFAULT '',
    suspension_reason     text NOT NULL DEFAULT ''
);
-- ListAmenities: by community and kind, ordered by name.
CREATE INDEX amenities_listing ON amenities (community_code, kind, name, amenity_id);
CREATE INDEX amenities_by_name ON amenities (name, amenity_id);
-- Search while Redis is away: a bounding box on the active ones, then the exact distance.
CREATE INDEX amenities_near ON amenities (latitude, longitude) WHERE state = 'active';

-- Public reports about an amenity (closed when listed open, unclean, ...).
CREATE TABLE amenity_reports (
    report_id           uuid PRIMARY KEY,
    amenity_id          uuid NOT NULL REFERENCES amenities (amenity_id),
    community_code      text NOT NULL,
    reason_code         text NOT NULL,
    -- Redacted before it is stored.
    comment             text NOT NULL DEFAULT '',
    reported_at         timestamptz NOT NULL,
    -- The reporter's token subject; empty for an anonymous report.
    reported_by_subject text NOT NULL DEFAULT '',
    state               text NOT NULL,
    version             bigint NOT NULL
);
CREATE INDEX amenity_reports_newest ON amenity_reports (reported_at DESC, report_id DESC);
CREATE INDEX amenity_reports_by_amenity ON amenity_reports (amenity_id, reported_at DESC);
CREATE INDEX amenity_reports_by_community ON amenity_reports (community_code, reported_at DESC);
