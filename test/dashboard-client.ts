import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { OWNER_TOKEN, unique } from "./helpers";

/** The dashboard as a browser reaches it: a logged-in session's cookie and CSRF token, pages and form posts. */

const BASE = "http://localhost:8787";

export const getPage = (path: string, cookie?: string) =>
  exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie ? { cookie } : {}) } }));

/** A form post: urlencoded fields, or a `FormData` (multipart, with files). */
export const postForm = (path: string, fields: Record<string, string> | FormData, headers: Record<string, string> = {}) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { accept: "text/html", ...(fields instanceof FormData ? {} : { "content-type": "application/x-www-form-urlencoded" }), ...headers },
      body: fields instanceof FormData ? fields : new URLSearchParams(fields),
    }),
  );

export const postJsonAsPage = (path: string, body: unknown, session: { cookie: string; csrf: string }) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

export async function dashboardLogin(): Promise<{ cookie: string; csrf: string }> {
  const response = await postForm("/dashboard/login", { token: OWNER_TOKEN }, { "cf-connecting-ip": unique("ip") });
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await getPage("/dashboard/import", cookie)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf };
}
