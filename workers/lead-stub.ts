import type { LeadObject } from "../durable-objects/lead-object";
import type { LeadId } from "../schemas/lead";

/** The lead's object, addressed by its derived id: no lookup, same object for every post. */
export function leadObject(env: Env, leadId: LeadId): DurableObjectStub<LeadObject> {
  return env.LEADS.get(env.LEADS.idFromName(leadId));
}
