-- Supervision that holds (issue 13). Keep in step with the other dialect.
--
-- obligations.keywords: a JSON array of title words an item must contain to count as evidence
-- ('[]': any item of the unit in the column). obligations.source: where the evidence comes from,
-- 'items' (published items in the column) or the system's own records ('meetings', 'filings',
-- 'interpretations', 'opinion', 'proposals'; gongkai_domain::compliance::EvidenceSource).
ALTER TABLE obligations ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]';
ALTER TABLE obligations ADD COLUMN source TEXT NOT NULL DEFAULT 'items';

-- items.made_public_at: the instant the system first made the item public. Evidence is dated by
-- it, never by the editable published_at (the 发布日期 an editor may set to an earlier day when
-- entering an old document: 补录 ). Items public before this migration keep their published_at.
ALTER TABLE items ADD COLUMN made_public_at BIGINT;
UPDATE items SET made_public_at = published_at WHERE status = 'published' AND published_at IS NOT NULL;

-- The supervising office's acceptance of a 补录 item as on-time evidence (audited).
CREATE TABLE backfill_acceptances (
    item_id     BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    accepted_by BIGINT REFERENCES users(id),
    accepted_at BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backfill_acceptances_accepted_by ON backfill_acceptances(accepted_by);

-- A unit's explicit link of an item to the obligations it discharges ( 落实… ), chosen when
-- publishing. A linked item counts for those obligations only.
CREATE TABLE obligation_links (
    item_id       BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    obligation_id BIGINT NOT NULL REFERENCES obligations(id) ON DELETE CASCADE,
    created_by    BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (item_id, obligation_id)
);
CREATE INDEX obligation_links_obligation ON obligation_links(obligation_id);
CREATE INDEX obligation_links_created_by ON obligation_links(created_by);
