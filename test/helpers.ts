import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { LeadObject } from "../durable-objects/lead-object";
import { SIGNAL_PROJECTION_DELAY_MS } from "../durable-objects/lead-outcome";
import worker from "../workers/index";
import type { FormConfig } from "../schemas/form";

export const ORIGIN = "https://engine.example";
export const OWNER_TOKEN = "test-owner-token";

/** A request to the Worker's public surface, as a client on the internet makes it. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }));
}

export function asOwner(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${OWNER_TOKEN}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return call(path, { ...init, headers });
}

let counter = 0;
/** Storage is shared within a test file: every test gets its own names. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A form that enrols nobody unless the test names a sequence: most tests are about capture, not touches. */
export async function makeForm(overrides: Partial<FormConfig> = {}): Promise<FormConfig> {
  const form = { id: unique("form"), name: "Test form", thankYouUrl: "https://site.example/thanks", sequenceId: null, ...overrides };
  const response = await asOwner("/api/forms", { method: "POST", body: JSON.stringify(form) });
  if (response.status !== 201) throw new Error(`form not created: ${response.status} ${await response.text()}`);
  return (await response.json()) as FormConfig;
}

export function postJson(formId: string, fields: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/f/${formId}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(fields),
  });
}

/** Calls the Worker's fetch handler and waits for its `waitUntil` work (recording) to finish. */
export async function callAndSettle(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A fresh lead, created the way every lead is: a form post. */
export async function makeLead(fields: Record<string, unknown> = {}): Promise<string> {
  const form = await makeForm();
  const response = await postJson(form.id, { email: `${unique("lead")}@example.com`, ...fields });
  if (response.status !== 202) throw new Error(`lead not created: ${response.status}`);
  return ((await response.json()) as { leadId: string }).leadId;
}

/**
 * Lets the lead's burst window pass: its object drains as its alarm would once the delay of
 * a signal's projection is over (its clock moved on by that delay for the drain alone).
 */
export async function afterSignalBurst(leadId: string): Promise<void> {
  await runInDurableObject(env.LEADS.getByName(leadId), async (object: LeadObject) => {
    await object.seams.drain();
    const clock = object.seams.clock;
    const later = (at: number) => at + SIGNAL_PROJECTION_DELAY_MS;
    object.seams.clock = {
      now: () => later(clock.now()),
      wallNow: () => later(clock.wallNow()),
      wallTimeOf: clock.wallTimeOf,
      engineTimeAt: (wallAt) => clock.engineTimeAt(wallAt),
    };
    try {
      await object.seams.drain();
    } finally {
      object.seams.clock = clock;
    }
  });
}

export const leadSummary = (leadId: string) => env.LEADS.getByName(leadId).summary();
