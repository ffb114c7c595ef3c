import { desc, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { settings, settingsAudit, type SettingsAuditRow } from "../../schemas/d1";
import type { SettingKey, Settings } from "../../schemas/settings";

/** The saved settings' version: the newest change's id (0 before the first). One indexed read. */
export async function settingsVersion(db: D1Database): Promise<number> {
  const row = await drizzle(db)
    .select({ version: sql<number | null>`max(${settingsAudit.id})` })
    .from(settingsAudit)
    .get();
  return row?.version ?? 0;
}

/** Every saved setting, as stored: the caller checks each by its rule. */
export async function savedSettings(db: D1Database): Promise<Record<string, unknown>> {
  const rows = await drizzle(db).select({ key: settings.key, value: settings.value }).from(settings).all();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/**
 * Saves changed settings and one audit row for each, in one batch (D1 runs a batch as a
 * transaction): a setting never changes without its audit row, nor the reverse.
 */
export async function saveSettings(
  db: D1Database,
  changes: { key: SettingKey; from: Settings[SettingKey] | null; to: Settings[SettingKey] }[],
  actor: string,
  now: number,
): Promise<void> {
  if (changes.length === 0) return;
  const orm = drizzle(db);
  const writes = changes.flatMap(({ key, from, to }) => [
    orm
      .insert(settings)
      .values({ key, value: to, updatedAt: now, updatedBy: actor })
      .onConflictDoUpdate({ target: settings.key, set: { value: to, updatedAt: now, updatedBy: actor } }),
    orm.insert(settingsAudit).values({ at: now, actor, key, oldValue: from, newValue: to }),
  ]);
  await orm.batch(writes as [(typeof writes)[number], ...(typeof writes)[number][]]);
}

/** The newest changes first. */
export async function settingsAuditList(db: D1Database, limit = 100): Promise<SettingsAuditRow[]> {
  return drizzle(db).select().from(settingsAudit).orderBy(desc(settingsAudit.id)).limit(limit).all();
}
