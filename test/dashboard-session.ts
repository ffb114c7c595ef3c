import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { OWNER_TOKEN, unique } from "./helpers";

/** The dashboard as a browser uses it: HTML pages, a session cookie, forms with the CSRF token. */

export const BASE = "http://localhost:8787";

export const get = (path: string, cookie?: string) =>
  exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie ? { cookie } : {}) } }));

export const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields),
    }),
  );

export async function login(client = unique("ip")): Promise<{ cookie: string; csrf: string }> {
  const response = await post("/dashboard/login", { token: OWNER_TOKEN }, { "cf-connecting-ip": client });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get("set-cookie")!;
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  const cookie = setCookie.split(";")[0]!;
  const page = await (await get("/dashboard/review", cookie)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf };
}
