import type { LeadObject } from "../durable-objects/lead-object";
import type { LeadId } from "../schemas/lead";

/** The lead's object, addressed by its derived id: no lookup, same object for every post, and the object knows its id by name. */
export function leadObject(env: Env, leadId: LeadId): DurableObjectStub<LeadObject> {
  return env.LEADS.getByName(leadId);
}
