-- The demo form behind /demo; it runs the new-inquiry preset (the column's default).
-- Idempotent: re-running `npm start` keeps owner edits.
INSERT OR IGNORE INTO forms (id, name, thank_you_url, allowed_origins, default_source, honeypot_field, created_at, updated_at)
VALUES ('demo', 'Demo: free estimate', '/demo/thanks', '[]', 'demo-landing-page', 'website_url',
        CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000);

-- The local demo page runs the snippet, so its origins are configured sites
-- (npm start rewrites :8787 to the port it serves on).
-- Site chat is on there: it opens by itself for a returning lead and on a second pricing view.
INSERT OR IGNORE INTO sites (origin, page_rules, chat, created_at, updated_at)
VALUES ('http://localhost:8787', '[{"pattern":"/demo/pricing*","class":"pricing"},{"pattern":"/demo/book*","class":"booking"},{"pattern":"/demo","class":"landing"}]',
        '{"enabled":true,"greeting":"Hi! Questions about an inspection or a quote? Ask me here, or leave your email and we''ll get back to you.","openOn":{"returningLead":true,"pricingViews":2,"secondsOnPage":null},"hours":null,"handOffEmail":null,"consentText":"Email me about my question. I can unsubscribe at any time.","sequenceId":"new-inquiry"}', 0, 0),
       ('http://127.0.0.1:8787', '[{"pattern":"/demo/pricing*","class":"pricing"},{"pattern":"/demo/book*","class":"booking"},{"pattern":"/demo","class":"landing"}]',
        '{"enabled":true,"greeting":"Hi! Questions about an inspection or a quote? Ask me here, or leave your email and we''ll get back to you.","openOn":{"returningLead":true,"pricingViews":2,"secondsOnPage":null},"hours":null,"handOffEmail":null,"consentText":"Email me about my question. I can unsubscribe at any time.","sequenceId":"new-inquiry"}', 0, 0);

-- What the chat answers from without a model: the demo business's prices, as the pricing page says them.
INSERT INTO knowledge_chunks (document_id, kind, title, body)
SELECT 'demo-pricing', 'pricing', 'Prices', 'Roof inspections start at $149. Full replacements are quoted on site after the inspection, and the inspection fee comes off the replacement.'
WHERE NOT EXISTS (SELECT 1 FROM knowledge_documents WHERE id = 'demo-pricing');
INSERT OR IGNORE INTO knowledge_documents (id, title, kind, chunks, updated_at)
VALUES ('demo-pricing', 'Prices', 'pricing', 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
