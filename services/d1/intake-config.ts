import type { FormConfig } from "../../schemas/form";
import type { RoutingVersion } from "../../schemas/routing";
import type { SequenceVersion } from "../../schemas/sequence";
import { formWithVersion } from "./forms";
import { currentRouting } from "./routing";
import { currentSequence } from "./sequences";

/**
 * What a form post needs from D1 — its form, the version of the form's sequence new leads get,
 * the routing — kept in the isolate's memory. Each post reads only their versions, in one
 * statement on primary keys (the form's `updated_at`, which every edit moves forward; the
 * newest sequence and routing version numbers), and reads again only what moved: an owner's
 * edit counts from the next post, on every isolate, and a quiet form costs one small read.
 */

/** The configuration a post enters its lead with; `sequence` is undefined for a form that enrols nobody (or names a sequence that is gone). */
export interface IntakeConfig {
  sequence: SequenceVersion | undefined;
  routing: RoutingVersion;
}

interface Versions {
  form: number | null;
  sequence: number | null;
  routing: number | null;
}

const forms = new Map<string, { version: number; form: FormConfig }>();
const sequences = new Map<string, SequenceVersion | undefined>();
let routing: RoutingVersion | undefined;

// Bounded: form ids come from strangers' URLs, but only existing forms are kept.
const MAX_FORMS = 1_000;

async function versionsOf(db: D1Database, formId: string | null, sequenceId: string | null): Promise<Versions> {
  const row = await db
    .prepare(
      `SELECT (SELECT updated_at FROM forms WHERE id = ?1) AS form,
              (SELECT MAX(version) FROM sequences WHERE id = ?2) AS sequence,
              (SELECT MAX(version) FROM routing_versions) AS routing`,
    )
    .bind(formId, sequenceId)
    .first<Versions>();
  return row ?? { form: null, sequence: null, routing: null };
}

/** The sequence as new enrolments get it: the cached copy while its newest version (0, a preset, when none is stored) is the one read. */
async function sequenceAt(db: D1Database, id: string | null, version: number | null): Promise<SequenceVersion | undefined> {
  if (id === null) return undefined;
  const cached = sequences.get(id);
  if (cached && cached.version === (version ?? 0)) return cached;
  const current = await currentSequence(db, id);
  if (current) sequences.set(id, current);
  else sequences.delete(id);
  return current;
}

async function routingAt(db: D1Database, version: number | null): Promise<RoutingVersion> {
  if (routing && routing.version === (version ?? 0)) return routing;
  routing = await currentRouting(db);
  return routing;
}

/** A form and what its posts enter leads with, as they stand now; undefined when there is no such form. */
export async function formIntake(db: D1Database, formId: string): Promise<(IntakeConfig & { form: FormConfig }) | undefined> {
  const cached = forms.get(formId);
  const cachedSequenceId = cached?.form.sequenceId ?? null;
  const versions = await versionsOf(db, formId, cachedSequenceId);
  if (versions.form === null) {
    forms.delete(formId);
    return undefined;
  }
  let form = cached?.version === versions.form ? cached.form : undefined;
  if (!form) {
    const fresh = await formWithVersion(db, formId);
    if (!fresh) return undefined;
    if (forms.size >= MAX_FORMS) forms.clear();
    forms.set(formId, fresh);
    form = fresh.form;
  }
  // The edit that moved the form may have named another sequence, whose version was not read.
  const [sequence, current] = await Promise.all([
    form.sequenceId === cachedSequenceId ? sequenceAt(db, form.sequenceId, versions.sequence) : sequenceIntake(db, form.sequenceId).then((c) => c.sequence),
    routingAt(db, versions.routing),
  ]);
  return { form, sequence, routing: current };
}

/** A sequence (by id, null for none) and the routing, as new leads get them now. */
export async function sequenceIntake(db: D1Database, sequenceId: string | null): Promise<IntakeConfig> {
  const versions = await versionsOf(db, null, sequenceId);
  const [sequence, current] = await Promise.all([sequenceAt(db, sequenceId, versions.sequence), routingAt(db, versions.routing)]);
  return { sequence, routing: current };
}
