import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LeadState } from "../engine/lead/lead-state";
import type { LeadObject } from "../durable-objects/lead-object";
import { projectLead } from "../durable-objects/lead-projection";
import type { Submission } from "../schemas/lead";

function submission(email: string): Submission {
  return { formId: "demo", receivedAt: Date.now(), profile: { email, source: "test" }, consent: {}, utm: {}, custom: {} };
}

function freshLead() {
  const leadId = crypto.randomUUID().replaceAll("-", "");
  return { leadId, stub: env.LEADS.getByName(leadId) };
}

const rowFor = (id: string) => env.DB.prepare("SELECT * FROM leads WHERE id = ?").bind(id).first();

/** D1 that refuses every write, as during an outage. */
function failingD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "batch" || prop === "prepare" || prop === "exec") {
        return () => {
          throw new Error("D1_ERROR: simulated outage");
        };
      }
      return Reflect.get(target, prop);
    },
  });
}

describe("LeadObject", () => {
  it("stores its own id on first contact and reports created only once", async () => {
    const { leadId, stub } = freshLead();
    expect(await stub.submitForm(submission("once@example.com"))).toEqual({ leadId, created: true });
    expect(await stub.submitForm(submission("once@example.com"))).toEqual({ leadId, created: false });
    expect((await stub.summary())?.id).toBe(leadId);
  });

  it("an unknown lead has no summary", async () => {
    expect(await freshLead().stub.summary()).toBeNull();
  });

  it("keeps the lead when D1 fails, and its alarm catches the projection up", async () => {
    const { leadId, stub } = freshLead();
    const realDb = env.DB;
    await runInDurableObject(stub, (object: LeadObject) => {
      object.seams.env = { ...env, DB: failingD1(realDb) };
    });
    await stub.submitForm(submission("outage@example.com"));
    expect(await rowFor(leadId)).toBeNull();
    expect((await stub.summary())?.timeline).toHaveLength(1);

    const alarmAt = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();

    await runInDurableObject(stub, (object: LeadObject, state) => {
      object.seams.env = env;
      // Bring the retry due now rather than waiting out the backoff.
      state.storage.sql.exec("UPDATE due SET due_at = 0");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await rowFor(leadId)).toMatchObject({ email: "outage@example.com", version: 1 });
    const events = await env.DB.prepare("SELECT id FROM events WHERE lead_id = ?").bind(leadId).all();
    expect(events.results).toEqual([{ id: `${leadId}:1` }]);
    // Nothing is due: the one alarm left is the timeline's retention prune, RETENTION_DAYS away.
    expect(await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() + 390 * 86_400_000);
  });

  it("an event that lands while a projection is in flight is projected too", async () => {
    const { leadId, stub } = freshLead();
    const realDb = env.DB;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const slowD1 = new Proxy(realDb, {
      get(target, prop) {
        if (prop !== "batch") return Reflect.get(target, prop);
        return async (statements: D1PreparedStatement[]) => {
          if (!held) {
            held = true;
            await gate;
          }
          return target.batch(statements);
        };
      },
    });
    await runInDurableObject(stub, (object: LeadObject) => {
      object.seams.env = { ...env, DB: slowD1 };
    });
    await stub.submitForm(submission("inflight@example.com"));
    // The first projection now waits on D1; a second post changes the lead meanwhile.
    await stub.submitForm({ ...submission("inflight@example.com"), profile: { email: "inflight@example.com", company: "Later Co" } });
    release();
    await runInDurableObject(stub, (object: LeadObject) => object.seams.drain());
    expect(held).toBe(true);
    expect(await rowFor(leadId)).toMatchObject({ company: "Later Co", version: 2 });
  });

  it("a late projection of an older version never rolls D1 back", async () => {
    const { leadId, stub } = freshLead();
    await stub.submitForm(submission("order@example.com"));
    const v1 = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM lead").one().state);
    await stub.submitForm({ ...submission("order@example.com"), profile: { email: "order@example.com", company: "Second" } });
    await projectLead(env.DB, JSON.parse(v1) as LeadState, []);
    expect(await rowFor(leadId)).toMatchObject({ company: "Second", version: 2 });
  });
});
