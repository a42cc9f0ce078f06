-- The photo library: what the desk records about each photo. The bytes leave the database
-- for the blob store (a folder or an S3 bucket): Byline moves the photos stored here on its
-- first start after this migration (store.MovePhotosToBlobs) and leaves an empty value in
-- images.data and image_variants.data, which SQLite could only make nullable by rebuilding
-- the tables.
ALTER TABLE images ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN credit TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN copyright TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN alt TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN rights_expires_at TIMESTAMP;
ALTER TABLE images ADD COLUMN uploaded_by INTEGER REFERENCES staff (id) ON DELETE SET NULL;

-- A photo already in use takes the alt text, caption and credit of its first article.
UPDATE images SET
    alt = COALESCE((SELECT a.image_alt FROM articles a WHERE a.image_id = images.id ORDER BY a.id LIMIT 1), ''),
    caption = COALESCE((SELECT a.image_caption FROM articles a WHERE a.image_id = images.id ORDER BY a.id LIMIT 1), ''),
    credit = COALESCE((SELECT a.image_credit FROM articles a WHERE a.image_id = images.id ORDER BY a.id LIMIT 1), '');

CREATE INDEX images_by_creation ON images (created_at DESC, id DESC);
CREATE INDEX images_by_rights ON images (rights_expires_at) WHERE rights_expires_at IS NOT NULL;
