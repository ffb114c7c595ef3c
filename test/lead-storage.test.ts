import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import * as storage from "../durable-objects/lead-storage";
import { freshLead, MONDAY_10_NY, settle, submission } from "./lead-harness";
import { PRESETS } from "../schemas/sequence-presets";

/**
 * Every table's columns and every index of the object's storage, its triggers and views, and
 * what its tables hold, in a form two storages can be compared by. The projection cursor's two
 * meta rows at their defaults (migration 6 writes them; a reader treats them as absent) are left out.
 */
function describeStorage(sql: SqlStorage) {
  const others = sql.exec("SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name").toArray();
  const meta = sql
    .exec<{ key: string; value: string }>("SELECT key, value FROM meta ORDER BY key")
    .toArray()
    .filter((row) => !(row.key === "projected_through" && row.value === "0") && !(row.key === "rejudged" && row.value === "[]"));
  const rows = Object.fromEntries(["lead", "timeline", "due", "chat_message"].map((table) => [table, sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n]));
  return { tables: describeTables(sql), others, meta, rows };
}

function describeTables(sql: SqlStorage) {
  const tables = sql
    .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
    .toArray();
  return tables.map(({ name, sql: definition }) => ({
    name,
    autoincrement: /AUTOINCREMENT/i.test(definition),
    columns: sql.exec(`PRAGMA table_info("${name}")`).toArray(),
    indexes: sql
      .exec<{ name: string; unique: number }>(`PRAGMA index_list("${name}")`)
      .toArray()
      .map((index) => ({
        name: index.name,
        unique: index.unique,
        // A partial index's predicate, as written (spacing aside).
        where:
          (sql.exec<{ sql: string | null }>("SELECT sql FROM sqlite_master WHERE name = ?", index.name).toArray()[0]?.sql ?? "")
            .match(/\bWHERE\b([\s\S]*)$/i)?.[1]
            ?.replace(/\s+/g, " ")
            .trim() ?? null,
        columns: sql.exec(`PRAGMA index_info("${index.name}")`).toArray(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

describe("the lead object's storage", () => {
  it("a new object's storage is made at once and is the storage an old object's migrations lead to", async () => {
    const made = await freshLead();
    const fresh = await runInDurableObject(made.stub, (_object: LeadObject, state) => describeStorage(state.storage.sql));

    const replayed = await freshLead();
    const migrated = await runInDurableObject(replayed.stub, (_object: LeadObject, state) => {
      const sql = state.storage.sql;
      // An object from before the first migration: only its version row, at 0.
      for (const table of ["lead", "timeline", "due", "meta", "chat_message", "schema_version"]) sql.exec(`DROP TABLE IF EXISTS ${table}`);
      sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (0)");
      storage.migrate(sql);
      return describeStorage(sql);
    });

    expect(fresh.tables.map((t) => t.name)).toEqual(["chat_message", "due", "lead", "meta", "schema_version", "timeline"]);
    expect(fresh).toEqual(migrated);
  });

  it("a new object made at once is at the newest version: migrating again changes nothing, and its lead is followed up", async () => {
    const { leadId, stub } = await freshLead();
    const version = () =>
      runInDurableObject(stub, (_object: LeadObject, state) => {
        storage.migrate(state.storage.sql);
        return state.storage.sql.exec<{ version: number; rows: number }>("SELECT MAX(version) AS version, COUNT(*) AS rows FROM schema_version").one();
      });
    const first = await version();
    expect(first.rows).toBe(1);
    expect(await version()).toEqual(first);

    await stub.submitForm(submission(`storage-${leadId}@example.com`), { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! });
    await settle(stub);
    const summary = await stub.summary();
    expect(summary?.timeline.some((e) => e.kind === "touch_sent" && e.at >= MONDAY_10_NY)).toBe(true);
  });

  it("a due row of a kind this version does not know (left by a newer one) holds up nothing: the acknowledgement still goes", async () => {
    const { leadId, stub } = await freshLead();
    await runInDurableObject(stub, (_object: LeadObject, state) => {
      state.storage.sql.exec("INSERT INTO due (kind, key, due_at, payload) VALUES ('from_the_future', 'from_the_future:1', 0, '{}')");
    });
    await stub.submitForm(submission(`unknown-kind-${leadId}@example.com`), { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! });
    await settle(stub);
    const summary = await stub.summary();
    expect(summary?.timeline.filter((e) => e.kind === "touch_sent")).toHaveLength(1);
    const unknown = await runInDurableObject(stub, (_object: LeadObject, state) =>
      state.storage.sql.exec<{ attempts: number }>("SELECT attempts FROM due WHERE kind = 'from_the_future'").toArray(),
    );
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.attempts).toBeGreaterThanOrEqual(1);
  });

  it("an attempt settles its row only while the row holds its lease: a request for it meanwhile, even after the lease ran out, stays for the next pass", async () => {
    const { stub } = await freshLead();
    const left = await runInDurableObject(stub, (_object: LeadObject, state) => {
      const sql = state.storage.sql;
      const row = (key: string) =>
        sql.exec<{ id: number; due_at: number; attempts: number; payload: string }>("SELECT id, due_at, attempts, payload FROM due WHERE key = ?", key).one();
      const conversation = (text: string) => ({ kind: "conversation", row: { text } }) as unknown as Parameters<typeof storage.queueEffect>[2];
      const until = 60_000;
      // A keyed effect asked for again, with new content, once its attempt outlived the lease.
      storage.queueEffect(sql, "conversation:1", conversation("first"), 0);
      const first = row("conversation:1");
      const lease = { until, attempts: storage.leaseDue(sql, first.id, 0, until)!.attempts };
      storage.queueEffect(sql, "conversation:1", conversation("second"), until + 1);
      storage.completeDue(sql, first.id, lease);
      // The projection asked for again past its lease's end.
      storage.queueEffect(sql, "project", { kind: "project" }, 0);
      const project = row("project");
      const projectLease = { until, attempts: storage.leaseDue(sql, project.id, 0, until)!.attempts };
      storage.queueEffect(sql, "project", { kind: "project" }, until + 1);
      storage.parkDue(sql, project.id, projectLease);
      return { conversation: row("conversation:1"), project: row("project") };
    });
    expect(left.conversation).toMatchObject({ payload: JSON.stringify({ kind: "conversation", row: { text: "second" } }), attempts: 0 });
    // Not parked: due again, as the request that came after the lease asked.
    expect(left.project).toMatchObject({ due_at: 60_000, attempts: 0 });
  });
});
