-- The demo form behind /demo; it runs the new-inquiry preset (the column's default).
-- Idempotent: re-running `npm start` keeps owner edits.
INSERT OR IGNORE INTO forms (id, name, thank_you_url, allowed_origins, default_source, honeypot_field, created_at, updated_at)
VALUES ('demo', 'Demo: free estimate', '/demo/thanks', '[]', 'demo-landing-page', 'website_url',
        CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000);

-- The local demo page runs the snippet, so its origins are configured sites
-- (npm start rewrites :8787 to the port it serves on).
INSERT OR IGNORE INTO sites (origin, page_rules, created_at, updated_at)
VALUES ('http://localhost:8787', '[{"pattern":"/demo/pricing*","class":"pricing"},{"pattern":"/demo/book*","class":"booking"},{"pattern":"/demo","class":"landing"}]', 0, 0),
       ('http://127.0.0.1:8787', '[{"pattern":"/demo/pricing*","class":"pricing"},{"pattern":"/demo/book*","class":"booking"},{"pattern":"/demo","class":"landing"}]', 0, 0);
