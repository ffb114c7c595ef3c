import { exports } from "cloudflare:workers";
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

export async function makeForm(overrides: Partial<FormConfig> = {}): Promise<FormConfig> {
  const form = { id: unique("form"), name: "Test form", thankYouUrl: "https://site.example/thanks", ...overrides };
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
