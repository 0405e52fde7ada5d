-- 统单 compares petitions by their words (jieba with the city-service vocabulary, see
-- domain/wording.py), segmented once when a petition is filed and kept here, space
-- separated; the scorer (domain/similarity.py) reads them back instead of segmenting again.
-- The CJK-bigram text pg_trgm compared before means nothing to it: petitions filed before
-- have no words yet (NULL) and are segmented when first compared.
ALTER TABLE petitions RENAME COLUMN description_grams TO description_words;
ALTER TABLE petitions ALTER COLUMN description_words DROP NOT NULL;
UPDATE petitions SET description_words = NULL;
-- ProposeClusters reads every submitted petition of a window: by time, whatever the
-- community or category.
CREATE INDEX petitions_submitted_at ON petitions (submitted_at);
