-- The public-content generation (issue 18 item 1). Keep in step with the other dialect.
--
-- One row, bumped in the same transaction as every write to a table that feeds a public page the
-- page cache serves (home, columns, items, /xxgk, feeds, sitemap, catalogue, and the layout around
-- them): sites, columns, organisations, items, item_columns, attachments, settings, plans.
-- A node drops its cached pages when it sees the number change (docs/decisions.md, "The public
-- page cache"). No per-view write touches these tables, so reading a page never bumps it.
CREATE TABLE public_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO public_generation (id, generation) VALUES (1, 1);
CREATE TRIGGER public_generation_sites_insert AFTER INSERT ON sites
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_sites_update AFTER UPDATE ON sites
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_sites_delete AFTER DELETE ON sites
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_columns_insert AFTER INSERT ON columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_columns_update AFTER UPDATE ON columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_columns_delete AFTER DELETE ON columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_organisations_insert AFTER INSERT ON organisations
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_organisations_update AFTER UPDATE ON organisations
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_organisations_delete AFTER DELETE ON organisations
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_items_insert AFTER INSERT ON items
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_items_update AFTER UPDATE ON items
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_items_delete AFTER DELETE ON items
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_item_columns_insert AFTER INSERT ON item_columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_item_columns_update AFTER UPDATE ON item_columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_item_columns_delete AFTER DELETE ON item_columns
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_attachments_insert AFTER INSERT ON attachments
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_attachments_update AFTER UPDATE ON attachments
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_attachments_delete AFTER DELETE ON attachments
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_settings_insert AFTER INSERT ON settings
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_settings_update AFTER UPDATE ON settings
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_settings_delete AFTER DELETE ON settings
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_plans_insert AFTER INSERT ON plans
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_plans_update AFTER UPDATE ON plans
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER public_generation_plans_delete AFTER DELETE ON plans
BEGIN UPDATE public_generation SET generation = generation + 1 WHERE id = 1; END;
