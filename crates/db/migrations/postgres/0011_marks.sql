-- Policy interpretations and validity marks (issue 5). An interpretation (政策解读) names the
-- policy document it explains; a document that is no longer 有效 records since when (civil date
-- 'YYYY-MM-DD') and, optionally, the document replacing it. Keep in step with the other dialect.
ALTER TABLE items ADD COLUMN interprets_item_id BIGINT REFERENCES items(id);
ALTER TABLE items ADD COLUMN validity_changed_on TEXT;
ALTER TABLE items ADD COLUMN replaced_by_item_id BIGINT REFERENCES items(id);
CREATE INDEX items_interprets ON items(interprets_item_id);
CREATE INDEX items_replaced_by ON items(replaced_by_item_id);
