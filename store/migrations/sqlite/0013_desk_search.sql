-- The newsroom's search box on SQLite reads titles and standfirsts from the covering index
-- articles_by_update (0005); PostgreSQL adds a full-text index here. Nothing to do.
SELECT 1;
