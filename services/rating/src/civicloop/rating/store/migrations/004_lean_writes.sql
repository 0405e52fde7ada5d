-- What each rating writes, lighter (the page's POST writes a batch of ratings in one statement):
-- ratings_case repeated the leading column of the (case_id, round, petition_id) key, which
-- serves a lookup by case as well: one index entry fewer per rating.
DROP INDEX IF EXISTS ratings_case;
-- A case row is updated in place through its life (requested, rated, reopened, closed): room
-- left in each page lets PostgreSQL put the new version beside the old without a new entry
-- in the key's index (a HOT update).
ALTER TABLE cases SET (fillfactor = 80);
