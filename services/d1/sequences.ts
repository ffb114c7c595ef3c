import { and, desc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sequences } from "../../schemas/d1";
import type { Sequence, SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

/**
 * Sequences in D1, every version kept. A preset is version 0 until the owner puts a
 * sequence with its id; leads keep the version they were enrolled with either way.
 */

export interface SequenceListing {
  id: string;
  name: string;
  version: number;
  preset: boolean;
  steps: number;
}

/** The version new enrolments get: the owner's latest, else the preset. */
export async function currentSequence(db: D1Database, id: string): Promise<SequenceVersion | undefined> {
  const row = await drizzle(db).select().from(sequences).where(eq(sequences.id, id)).orderBy(desc(sequences.version)).limit(1).get();
  if (row) return { id: row.id, version: row.version, sequence: row.document };
  const preset = PRESETS.get(id);
  return preset && { id, version: 0, sequence: preset };
}

/** One stored version (0 is the built-in preset), for a lead enrolled with an older one. */
export async function sequenceVersion(db: D1Database, id: string, version: number): Promise<SequenceVersion | undefined> {
  if (version === 0) {
    const preset = PRESETS.get(id);
    return preset && { id, version: 0, sequence: preset };
  }
  const row = await drizzle(db)
    .select()
    .from(sequences)
    .where(and(eq(sequences.id, id), eq(sequences.version, version)))
    .get();
  return row && { id: row.id, version: row.version, sequence: row.document };
}

export async function sequenceExists(db: D1Database, id: string): Promise<boolean> {
  return (await currentSequence(db, id)) !== undefined;
}

/** The sequences a sequence's `enrol` branches name that do not exist (it may enrol in itself): a lead would fall out of automation there. */
export async function missingEnrolTargets(db: D1Database, sequence: Sequence): Promise<string[]> {
  const targets = new Set(sequence.steps.flatMap((s) => s.branches.flatMap((b) => (b.then.do === "enrol" ? [b.then.sequence] : []))));
  targets.delete(sequence.id);
  const found = await Promise.all([...targets].map(async (target) => ((await sequenceExists(db, target)) ? [] : [target])));
  return found.flat();
}

export async function listSequences(db: D1Database): Promise<SequenceListing[]> {
  const rows = await drizzle(db)
    .select({ id: sequences.id, version: sql<number>`max(${sequences.version})` })
    .from(sequences)
    .groupBy(sequences.id)
    .all();
  const ids = new Set([...PRESETS.keys(), ...rows.map((r) => r.id)]);
  const listings = await Promise.all([...ids].sort().map((id) => currentSequence(db, id)));
  return listings.flatMap((v) => (v ? [{ id: v.id, name: v.sequence.name, version: v.version, preset: v.version === 0, steps: v.sequence.steps.length }] : []));
}

/** Each sequence's step ids in the order its current version runs them. */
export async function stepOrders(db: D1Database, ids: Iterable<string>): Promise<Map<string, string[]>> {
  const versions = await Promise.all([...new Set(ids)].map((id) => currentSequence(db, id)));
  return new Map(versions.flatMap((v) => (v ? [[v.id, v.sequence.steps.map((step) => step.id)] as [string, string[]]] : [])));
}

/** Stores a new version; the version number is taken in the same statement, so racing puts never collide. */
export async function putSequence(db: D1Database, sequence: Sequence, now: number): Promise<SequenceVersion> {
  const row = await db
    .prepare(
      `INSERT INTO sequences (id, version, document, created_at)
       SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3 FROM sequences WHERE id = ?1
       RETURNING version`,
    )
    .bind(sequence.id, JSON.stringify(sequence), now)
    .first<{ version: number }>();
  return { id: sequence.id, version: row!.version, sequence };
}
