-- The public-content generation (issue 18 item 1). Keep in step with the other dialect.
--
-- One row, bumped in the same transaction as every write to a table that feeds a public page the
-- page cache serves (home, columns, items, /xxgk, feeds, sitemap, catalogue, and the layout around
-- them): sites, columns, organisations, items, item_columns, attachments, settings, plans.
-- A node drops its cached pages when it sees the number change (docs/decisions.md, "The public
-- page cache"). No per-view write touches these tables, so reading a page never bumps it.
--
-- PostgreSQL: the triggers are deferred to the commit, so the row is locked only for the instant
-- before the transaction ends (no writer waits on it while doing other work, no deadlock through
-- it), and bump it once per transaction. pg_notify is delivered to the listening nodes on commit.
CREATE TABLE public_generation (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO public_generation (id, generation) VALUES (1, 1);

CREATE FUNCTION public_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_generation BIGINT;
BEGIN
    IF current_setting('gongkai.public_generation_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('gongkai.public_generation_bumped', 'yes', true);
    UPDATE public_generation SET generation = generation + 1 WHERE id = 1
        RETURNING generation INTO next_generation;
    PERFORM pg_notify('gongkai_public_generation', next_generation::text);
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER public_generation_sites AFTER INSERT OR UPDATE OR DELETE ON sites
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_columns AFTER INSERT OR UPDATE OR DELETE ON columns
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_organisations AFTER INSERT OR UPDATE OR DELETE ON organisations
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_items AFTER INSERT OR UPDATE OR DELETE ON items
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_item_columns AFTER INSERT OR UPDATE OR DELETE ON item_columns
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_attachments AFTER INSERT OR UPDATE OR DELETE ON attachments
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_settings AFTER INSERT OR UPDATE OR DELETE ON settings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
CREATE CONSTRAINT TRIGGER public_generation_plans AFTER INSERT OR UPDATE OR DELETE ON plans
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_generation_bump();
