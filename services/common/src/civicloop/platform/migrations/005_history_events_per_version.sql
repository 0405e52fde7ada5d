-- Some events happen to an aggregate without moving its version: a rating link requested or
-- expired leaves the case where it is. History keeps a row per event, so its key takes the
-- event too; a transition still makes exactly one version, and one row.
ALTER TABLE history DROP CONSTRAINT history_pkey;
ALTER TABLE history ADD PRIMARY KEY (aggregate_type, aggregate_id, version, event_id);
