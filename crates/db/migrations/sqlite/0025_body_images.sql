-- Issue 14: images uploaded from the rich-text editor into an item's body. The bytes live in the
-- attachment storage (content-addressed, by sha256); a row records who uploaded what. An image
-- is public only while a public item's body shows it: item_body_images is rewritten from the
-- sanitized body every time an item's body_html is written, so an image uploaded for an item
-- never saved, or only in an unapproved revision, is never served to the public.
-- Keep in step with the other dialect.

CREATE TABLE body_images (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    uploaded_by  INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX body_images_uploaded_by ON body_images(uploaded_by);

CREATE TABLE item_body_images (
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES body_images(id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, image_id)
);
CREATE INDEX item_body_images_image_id ON item_body_images(image_id);
