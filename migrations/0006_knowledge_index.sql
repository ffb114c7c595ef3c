-- The knowledge base's full-text index (drizzle does not model FTS5 virtual tables).
-- Porter stemming so "pricing" finds "price"; unicode61 folds case and accents.
CREATE VIRTUAL TABLE `knowledge_chunks` USING fts5(`document_id` UNINDEXED, `kind` UNINDEXED, `title`, `body`, tokenize = 'porter unicode61 remove_diacritics 2');
