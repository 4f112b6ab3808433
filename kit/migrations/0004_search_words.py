import django.contrib.postgres.indexes
import django.db.models.functions.datetime
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models

# The words people can find, for correcting misspelt searches (kit/spelling.py).
#
# `commons_words` is PostgreSQL's `simple` configuration (lower-cased, unstemmed) keeping only
# words made of letters: no numbers, addresses or file names. `search_document(row)` and
# `search_words_public(row)` say, per searchable table, what a row's words are and who may see
# them: true for everybody, false for signed-in members only, NULL for nobody (drafts, hidden
# stories and profiles), whose words are never noted. Triggers note the words of new and
# changed rows at once; `search_words_rebuild()` recounts them all and drops what nothing
# shows any more (nightly: config.tasks.search_words_recount).
#
# Whatever changes the vocabulary (a new word, a word now public, the recount) moves the
# `spelling` scope on (kit/scopes.py), which every kept search page that looked a word up
# shows: a constraint trigger deferred to the commit, so the version moves with the change and
# the one row is locked only while the transaction commits (locked at the first new word, two
# writers noting words in turn could each wait for the other).
SQL = r"""
CREATE TEXT SEARCH CONFIGURATION commons_words (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION commons_words
    DROP MAPPING IF EXISTS FOR numword, asciihword, hword, numhword, hword_numpart, email,
        protocol, url, host, url_path, file, sfloat, float, int, uint, version, tag, entity;

CREATE FUNCTION search_words_of(document text) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT word
    FROM unnest(tsvector_to_array(to_tsvector('commons_words', coalesce(document, '')))) AS word
    WHERE char_length(word) BETWEEN 3 AND 30
$$;

-- in word order, so two transactions noting the same new words cannot deadlock
CREATE FUNCTION search_words_note(documents text[], visible_to_all boolean) RETURNS void
LANGUAGE sql AS $$
    WITH words AS (
        SELECT DISTINCT word FROM unnest(documents) AS document, search_words_of(document) AS word
    ), added AS (
        INSERT INTO config_searchword (word, public)
        SELECT word, visible_to_all FROM words ORDER BY word
        ON CONFLICT (word) DO NOTHING
    )
    UPDATE config_searchword AS known SET public = true, noted_at = now()
    FROM words
    WHERE visible_to_all AND NOT known.public AND known.word = words.word
$$;

CREATE FUNCTION search_document(story stories_story) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' ', story.title, story.summary, story.situation, story.what_we_did,
                     story.results, story.do_differently, story.resources)
$$;
CREATE FUNCTION search_words_public(story stories_story) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN story.status = 'published' AND story.hidden_at IS NULL THEN true END
$$;

CREATE FUNCTION search_document(profile accounts_profile) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' ', profile.search_text, profile.bio)
$$;
CREATE FUNCTION search_words_public(profile accounts_profile) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE profile.visibility WHEN 'public' THEN true WHEN 'members' THEN false END
$$;

CREATE FUNCTION search_document(meetup_group meetup_groups_group) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' ', meetup_group.name, meetup_group.city, meetup_group.description)
$$;
CREATE FUNCTION search_words_public(meetup_group meetup_groups_group) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT meetup_group.visibility = 'public'
$$;

CREATE FUNCTION search_document(meetup meetup_groups_meetup) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' ', meetup.title, meetup.venue_name)
$$;
CREATE FUNCTION search_words_public(meetup meetup_groups_meetup) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT visibility = 'public' FROM meetup_groups_group WHERE id = meetup.group_id
$$;

CREATE FUNCTION search_document(entry cooperatives_organisation) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(' ', entry.name, entry.acronym, entry.description, entry.counties_regions)
$$;
CREATE FUNCTION search_words_public(entry cooperatives_organisation) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT true
$$;

CREATE FUNCTION search_document(topic taggit_tag) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT topic.name
$$;
CREATE FUNCTION search_words_public(topic taggit_tag) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT true
$$;

-- one statement's new rows at once (bulk inserts and COPY while seeding: one call, not one
-- per row). A transition table's rows are plain records: cast to the table's own row type.
CREATE FUNCTION search_words_note_inserted() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    visible_to_all boolean;
BEGIN
    FOREACH visible_to_all IN ARRAY ARRAY[true, false] LOOP
        EXECUTE format(
            'SELECT search_words_note(ARRAY(SELECT search_document(r::%1$I.%2$I) '
            'FROM new_rows AS r WHERE search_words_public(r::%1$I.%2$I) = $1), $1)',
            TG_TABLE_SCHEMA, TG_TABLE_NAME
        ) USING visible_to_all;
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION search_words_note_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    visible_to_all boolean := search_words_public(NEW);
BEGIN
    IF visible_to_all IS NOT NULL THEN
        PERFORM search_words_note(ARRAY[search_document(NEW)], visible_to_all);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER search_words_inserted AFTER INSERT ON stories_story
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON stories_story
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW)
          OR search_words_public(OLD) IS DISTINCT FROM search_words_public(NEW))
    EXECUTE FUNCTION search_words_note_updated();

CREATE TRIGGER search_words_inserted AFTER INSERT ON accounts_profile
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON accounts_profile
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW)
          OR search_words_public(OLD) IS DISTINCT FROM search_words_public(NEW))
    EXECUTE FUNCTION search_words_note_updated();

CREATE TRIGGER search_words_inserted AFTER INSERT ON meetup_groups_group
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON meetup_groups_group
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW)
          OR search_words_public(OLD) IS DISTINCT FROM search_words_public(NEW))
    EXECUTE FUNCTION search_words_note_updated();

CREATE TRIGGER search_words_inserted AFTER INSERT ON meetup_groups_meetup
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON meetup_groups_meetup
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW)
          OR OLD.group_id IS DISTINCT FROM NEW.group_id)
    EXECUTE FUNCTION search_words_note_updated();

CREATE TRIGGER search_words_inserted AFTER INSERT ON cooperatives_organisation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON cooperatives_organisation
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW))
    EXECUTE FUNCTION search_words_note_updated();

CREATE TRIGGER search_words_inserted AFTER INSERT ON taggit_tag
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_words_note_inserted();
CREATE TRIGGER search_words_updated AFTER UPDATE ON taggit_tag
    FOR EACH ROW
    WHEN (search_document(OLD) IS DISTINCT FROM search_document(NEW))
    EXECUTE FUNCTION search_words_note_updated();

-- Once per committing statement, however many words it changed (a statement-level trigger
-- cannot be deferred): the version comes from the scopes' own sequence, as in
-- kit.scopes.move_on. Tests make it immediate (their transaction never commits).
CREATE FUNCTION search_words_move_on() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    this_statement text := statement_timestamp()::text;
BEGIN
    IF current_setting('commons.search_words_moved_on', true) IS DISTINCT FROM this_statement THEN
        PERFORM set_config('commons.search_words_moved_on', this_statement, true);
        INSERT INTO config_scopeversion (name, version)
        VALUES ('spelling', nextval('config_scope_version_seq'))
        ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER search_words_move_on
    AFTER INSERT OR UPDATE OR DELETE ON config_searchword
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION search_words_move_on();

-- Every word again, counted, from what people can see now; words noted since it began stay.
-- Rows are updated in place (no lock on the table), so searches go on meanwhile.
CREATE FUNCTION search_words_rebuild() RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    started timestamptz := clock_timestamp();
    source text;
    counted integer;
BEGIN
    CREATE TEMPORARY TABLE search_words_counted (word text, documents integer, public boolean)
        ON COMMIT DROP;
    FOREACH source IN ARRAY ARRAY[
        'stories_story', 'accounts_profile', 'meetup_groups_group', 'meetup_groups_meetup',
        'cooperatives_organisation', 'taggit_tag'
    ] LOOP
        INSERT INTO search_words_counted
        SELECT word, ndoc, true FROM ts_stat(format(
            'SELECT to_tsvector(%L, search_document(r)) FROM %I AS r WHERE search_words_public(r)',
            'commons_words', source
        ))
        UNION ALL
        SELECT word, ndoc, false FROM ts_stat(format(
            'SELECT to_tsvector(%L, search_document(r)) FROM %I AS r WHERE NOT search_words_public(r)',
            'commons_words', source
        ));
    END LOOP;

    DELETE FROM config_searchword AS known
    WHERE known.noted_at < started
      AND NOT EXISTS (SELECT FROM search_words_counted AS c WHERE c.word = known.word);

    INSERT INTO config_searchword AS known (word, documents, public)
    SELECT word, sum(documents), bool_or(public)
    FROM search_words_counted
    WHERE char_length(word) BETWEEN 3 AND 30
    GROUP BY word
    ORDER BY word
    ON CONFLICT (word) DO UPDATE
        SET documents = excluded.documents, public = excluded.public
        WHERE known.noted_at < started
          AND (known.documents, known.public) IS DISTINCT FROM (excluded.documents, excluded.public);

    SELECT count(*) INTO counted FROM config_searchword;
    DROP TABLE search_words_counted;
    RETURN counted;
END
$fn$;

SELECT search_words_rebuild();
"""

REVERSE_SQL = r"""
DROP TRIGGER search_words_move_on ON config_searchword;
DROP FUNCTION search_words_move_on();
DROP TRIGGER search_words_inserted ON stories_story;
DROP TRIGGER search_words_updated ON stories_story;
DROP TRIGGER search_words_inserted ON accounts_profile;
DROP TRIGGER search_words_updated ON accounts_profile;
DROP TRIGGER search_words_inserted ON meetup_groups_group;
DROP TRIGGER search_words_updated ON meetup_groups_group;
DROP TRIGGER search_words_inserted ON meetup_groups_meetup;
DROP TRIGGER search_words_updated ON meetup_groups_meetup;
DROP TRIGGER search_words_inserted ON cooperatives_organisation;
DROP TRIGGER search_words_updated ON cooperatives_organisation;
DROP TRIGGER search_words_inserted ON taggit_tag;
DROP TRIGGER search_words_updated ON taggit_tag;
DROP FUNCTION search_words_rebuild();
DROP FUNCTION search_words_note_inserted();
DROP FUNCTION search_words_note_updated();
DROP FUNCTION search_document(stories_story);
DROP FUNCTION search_words_public(stories_story);
DROP FUNCTION search_document(accounts_profile);
DROP FUNCTION search_words_public(accounts_profile);
DROP FUNCTION search_document(meetup_groups_group);
DROP FUNCTION search_words_public(meetup_groups_group);
DROP FUNCTION search_document(meetup_groups_meetup);
DROP FUNCTION search_words_public(meetup_groups_meetup);
DROP FUNCTION search_document(cooperatives_organisation);
DROP FUNCTION search_words_public(cooperatives_organisation);
DROP FUNCTION search_document(taggit_tag);
DROP FUNCTION search_words_public(taggit_tag);
DROP FUNCTION search_words_note(text[], boolean);
DROP FUNCTION search_words_of(text);
DROP TEXT SEARCH CONFIGURATION commons_words;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0003_scopeversion"),
        # the tables' last migrations before it: the triggers read their columns
        ("accounts", "0007_text_length_limits"),
        ("cooperatives", "0004_text_length_limits"),
        ("meetup_groups", "0005_text_length_limits"),
        ("stories", "0007_text_length_limits"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        # levenshtein(): of the words close to a misspelt one, the fewest edits away first
        CreateExtension("fuzzystrmatch"),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False)),
                ("documents", models.PositiveIntegerField(db_default=1)),
                ("public", models.BooleanField(db_default=False)),
                (
                    "noted_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass("word", name="gin_trgm_ops"),
                        name="config_searchword_trgm",
                    )
                ],
            },
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
