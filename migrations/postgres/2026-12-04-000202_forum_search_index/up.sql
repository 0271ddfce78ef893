-- Forum search backed by an index (issue 21). Search keeps its meaning:
-- every word of the query is a substring of the folded (lower-cased,
-- accent-folded) title or content; topics whose title holds every word
-- come first, so the folded title gets a column of its own.
ALTER TABLE forum_topics ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
-- Titles are one line: the folded title is the first line of search_text.
UPDATE forum_topics SET search_title = split_part(search_text, E'\n', 1);

-- Trigram GIN indexes answer `LIKE '%word%'` without reading every topic.
-- They need the pg_trgm extension (shipped with PostgreSQL, and trusted:
-- a database owner may create it). Where it cannot be created (a role
-- without the right), the migration still succeeds and search reads the
-- forum's topics as before; docs/operations.md says how to add the
-- indexes later.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%): forum search runs without its index', SQLERRM;
END
$$;
DO $$
DECLARE
    trgm_schema NAME;
BEGIN
    SELECT n.nspname INTO trgm_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX forum_topics_search_text_trgm_idx ON forum_topics USING gin (search_text %I.gin_trgm_ops)',
            trgm_schema);
        EXECUTE format(
            'CREATE INDEX forum_topics_search_title_trgm_idx ON forum_topics USING gin (search_title %I.gin_trgm_ops)',
            trgm_schema);
    END IF;
END
$$;
