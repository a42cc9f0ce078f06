-- Where each article came from (an imported file, the sample newsroom, or Byline itself),
-- so that an import never silently overwrites an article another source made.
ALTER TABLE articles ADD COLUMN source TEXT NOT NULL DEFAULT '';
