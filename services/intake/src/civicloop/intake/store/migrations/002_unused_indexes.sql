-- Two indexes every filing paid for and no query used: nothing looks petitions up by phone
-- (the per-phone limit lives in Redis), and the duplicate search is driven by
-- petitions_category_time and scores pairs with similarity(), which a trigram index cannot
-- serve.
DROP INDEX IF EXISTS petitions_phone;
DROP INDEX IF EXISTS petitions_grams;
