-- Public lists are paged by key (published_at, id), newest first, without a COUNT (issue 18):
-- each index below ends in the key, so a page is a short range scan in index order and never a
-- sort of every public item. Keep in step with the other dialect.
-- Column pages, the home page and /xxgk: public items in key order.
DROP INDEX items_public;
CREATE INDEX items_public ON items(status, disclosure, published_at, id);
-- An organisation's page and the catalogue filtered by organisation.
CREATE INDEX items_org_public ON items(org_id, status, disclosure, published_at, id);
-- The sitemap: public items by last update, streamed in index order.
CREATE INDEX items_public_updated ON items(status, disclosure, updated_at, id);
-- Membership of a column read from the index alone.
DROP INDEX item_columns_column;
CREATE INDEX item_columns_column ON item_columns(column_id, item_id);
