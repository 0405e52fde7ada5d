-- What each fact adds to the rates' counts, appended as it happens and folded into rate_counts
-- (and its totals over every community and department) about once a second. Every rating
-- used to add to the city-wide row of its month itself: one row that every writer locked
-- until its commit, so ratings committed one batch at a time. Appending instead lets batches
-- commit side by side; GetRates adds the few changes not folded yet.
CREATE TABLE rate_count_changes (
    id               bigserial PRIMARY KEY,
    department_code  text NOT NULL,
    community_code   text NOT NULL,
    month            text NOT NULL,
    rated            bigint NOT NULL DEFAULT 0,
    satisfied        bigint NOT NULL DEFAULT 0,
    completed        bigint NOT NULL DEFAULT 0,
    on_time          bigint NOT NULL DEFAULT 0,
    closed           bigint NOT NULL DEFAULT 0,
    resolved         bigint NOT NULL DEFAULT 0
);
