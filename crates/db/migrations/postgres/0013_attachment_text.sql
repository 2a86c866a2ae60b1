-- Attachment text (issue 5): the text extracted from an attachment (PDF, DOCX, XLSX, plain text)
-- at upload, in the same transaction as the row, for the content guard and full-text search.
-- text_status: 'pending' (uploaded before extraction existed; `gongkai search reindex` fills it),
-- 'extracted', 'empty' (readable but no text, e.g. a scanned PDF), 'unsupported' (a format
-- whose text is not read: images, archives, .doc …) or 'failed' (无法提取文字; text_note says
-- why in Chinese). extracted_text is at most 1 MB. Keep in step with the other dialect.
ALTER TABLE attachments ADD COLUMN text_status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE attachments ADD COLUMN text_note TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN extracted_text TEXT;
