-- The interpretations of a policy document (shown on every item page) are found by the
-- document, filtered to public and ordered by publication, in one index: with only
-- items_interprets the planner preferred items_public and scanned every public item
-- (issue 18: 54 ms at 20,000 items; 0.08 ms on this index). Keep in step with the other dialect.
DROP INDEX items_interprets;
CREATE INDEX items_interprets ON items(interprets_item_id, status, disclosure, published_at);
