import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { unique } from "./helpers";
import { freshLead, outboxFor, settle, submission, withEnv } from "./lead-harness";

/** The form post → first touch path (#23): fast, and every rule that guards it still holding. */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

/** A D1 binding that notes every statement's SQL, in the order the object prepares them. */
function recordingDb(statements: string[]): D1Database {
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          statements.push(query.toLowerCase());
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

it("a new lead's acknowledgement is the first thing its object writes anywhere: the projection and drafts come after", async () => {
  const { leadId, stub } = await freshLead();
  await runInDurableObject(stub, (object: LeadObject) => {
    object.seams.drainAfterEvents = false;
  });
  await stub.submitForm(submission(`${unique("ack-first")}@example.com`), NEW_INQUIRY);
  const statements: string[] = [];
  await withEnv(stub, { DB: recordingDb(statements) });
  await runDurableObjectAlarm(stub);
  await settle(stub);

  const writes = statements.filter((s) => /^\s*(insert|update|delete)/.test(s));
  expect(writes[0]).toMatch(/^insert into "outbox"/);
  expect(writes.some((s) => /^insert into "leads"/.test(s))).toBe(true);
  expect((await outboxFor(leadId)).map((m) => m.channel)).toEqual(["email"]);
});
