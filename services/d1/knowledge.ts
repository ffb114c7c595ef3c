import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { knowledgeDocuments } from "../../schemas/d1";
import type { KnowledgeDocument, KnowledgeKind, Passage } from "../../schemas/knowledge";

/**
 * The owner's knowledge base in D1: documents split into passages of a few sentences,
 * indexed with SQLite full-text search (FTS5, porter stemming), and the passages that
 * best match a lead and a step retrieved for drafting.
 */

/** A passage is about this long: enough to quote a result or an answer, short enough for a prompt. */
const PASSAGE_CHARS = 800;
const MAX_QUERY_TERMS = 24;

/** Paragraphs, packed into passages; a paragraph longer than a passage is cut at sentence ends. */
export function passagesOf(text: string): string[] {
  const pieces = text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .flatMap((paragraph) => {
      const clean = paragraph.replace(/\s+/g, " ").trim();
      if (clean.length <= PASSAGE_CHARS) return clean ? [clean] : [];
      return clean
        .match(new RegExp(`.{1,${PASSAGE_CHARS}}(?:[.!?](?=\\s)|$)|.{1,${PASSAGE_CHARS}}`, "gs"))!
        .map((s) => s.trim())
        .filter(Boolean);
    });
  const passages: string[] = [];
  for (const piece of pieces) {
    const last = passages.at(-1);
    if (last !== undefined && last.length + piece.length + 1 <= PASSAGE_CHARS) passages[passages.length - 1] = `${last}\n${piece}`;
    else passages.push(piece);
  }
  return passages;
}

export async function putDocument(db: D1Database, id: string, doc: KnowledgeDocument, now: number): Promise<{ id: string; passages: number; created: boolean }> {
  const passages = passagesOf(doc.text);
  const d1 = drizzle(db);
  const existed = (await d1.select({ id: knowledgeDocuments.id }).from(knowledgeDocuments).where(eq(knowledgeDocuments.id, id)).get()) !== undefined;
  await db.batch([
    db.prepare("DELETE FROM knowledge_chunks WHERE document_id = ?").bind(id),
    ...passages.map((body) => db.prepare("INSERT INTO knowledge_chunks (document_id, kind, title, body) VALUES (?, ?, ?, ?)").bind(id, doc.kind, doc.title, body)),
    db
      .prepare(
        "INSERT INTO knowledge_documents (id, title, kind, chunks, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, kind = excluded.kind, chunks = excluded.chunks, updated_at = excluded.updated_at",
      )
      .bind(id, doc.title, doc.kind, passages.length, now),
  ]);
  return { id, passages: passages.length, created: !existed };
}

export async function listDocuments(db: D1Database) {
  return drizzle(db).select().from(knowledgeDocuments).orderBy(asc(knowledgeDocuments.id)).all();
}

export async function getDocument(db: D1Database, id: string) {
  return drizzle(db).select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, id)).get();
}

/** A document's passages in the order they come in its text. */
export async function documentPassages(db: D1Database, id: string): Promise<string[]> {
  const { results } = await db.prepare("SELECT body FROM knowledge_chunks WHERE document_id = ? ORDER BY rowid").bind(id).all<{ body: string }>();
  return results.map((row) => row.body);
}

export async function deleteDocument(db: D1Database, id: string): Promise<boolean> {
  const [, removed] = await db.batch([
    db.prepare("DELETE FROM knowledge_chunks WHERE document_id = ?").bind(id),
    db.prepare("DELETE FROM knowledge_documents WHERE id = ?").bind(id),
  ]);
  return (removed?.meta.changes ?? 0) > 0;
}

/**
 * An FTS5 query from free text: its words, each quoted (so nothing in it is read as query
 * syntax), any of them matching. Null when there are no words to look for.
 */
export function ftsQuery(text: string): string | null {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).slice(0, 200))].slice(0, MAX_QUERY_TERMS);
  return words.length ? words.map((w) => `"${w}"`).join(" OR ") : null;
}

/** The passages that best match `text` (bm25), optionally of some kinds only. */
export async function retrievePassages(db: D1Database, text: string, options: { kinds?: KnowledgeKind[]; limit?: number } = {}): Promise<Passage[]> {
  const query = ftsQuery(text);
  if (!query) return [];
  const kinds = options.kinds ?? [];
  const kindFilter = kinds.length ? ` AND kind IN (${kinds.map(() => "?").join(", ")})` : "";
  const { results } = await db
    .prepare(
      `SELECT document_id AS documentId, kind, title, body AS text FROM knowledge_chunks WHERE knowledge_chunks MATCH ?${kindFilter} ORDER BY bm25(knowledge_chunks, 0, 0, 2, 1) LIMIT ?`,
    )
    .bind(query, ...kinds, Math.min(options.limit ?? 3, 20))
    .all<Passage>();
  return results;
}

/**
 * The passage of this kind that best matches `text`; when none shares a word with it, the
 * opening passage of the newest document of the kind: a step that names the knowledge it
 * rests on is grounded in it whatever the lead's words.
 */
export async function bestPassageOf(db: D1Database, kind: KnowledgeKind, text: string): Promise<Passage | undefined> {
  const [matched] = await retrievePassages(db, text, { kinds: [kind], limit: 1 });
  if (matched) return matched;
  const opening = await db
    .prepare(
      `SELECT c.document_id AS documentId, c.kind, c.title, c.body AS text FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
       WHERE c.kind = ? ORDER BY d.updated_at DESC, d.rowid DESC, c.rowid LIMIT 1`,
    )
    .bind(kind)
    .first<Passage>();
  return opening ?? undefined;
}
