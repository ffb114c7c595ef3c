import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { loginFailures } from "../../schemas/d1";
import { hmacSha256 } from "../../services/crypto/hmac";
import { base64url, requiredTokenKeys, sameText, signToken, verifyToken } from "../../services/crypto/signed-token";

/**
 * The dashboard's login: the owner token exchanges for a signed session cookie (HttpOnly,
 * SameSite=Strict, Secure outside localhost). Every POST carries a CSRF token derived from
 * the session. Sessions name the owner token they came from, so changing OWNER_TOKEN logs
 * every session out. Failed logins are counted per client and slowed down.
 */

const SESSION_COOKIE = "fu_session";
const SESSION_HOURS = 12;
/** Failures allowed before the waits begin; each further failure doubles the wait. */
const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;

const SessionSchema = z.object({ p: z.literal("session"), sid: z.string().min(16).max(64), exp: z.number(), o: z.string() });
export type Session = z.infer<typeof SessionSchema>;

/** Any context whose bindings are ours (the dashboard adds its own variables). */
type Ctx<E extends { Bindings: Env }> = Context<E>;

/** A short fingerprint of the owner token: a session is valid only for the token it was made with. */
async function ownerFingerprint(env: Env): Promise<string> {
  return base64url((await hmacSha256(requiredTokenKeys(env).current.secret, `owner:${env.OWNER_TOKEN}`)).subarray(0, 12));
}

/** Whether the given token is the owner's, compared in constant time. */
export function isOwnerToken(env: Env, given: string): boolean {
  return Boolean(env.OWNER_TOKEN) && sameText(given, env.OWNER_TOKEN);
}

const isLocal = <E extends { Bindings: Env }>(c: Ctx<E>) => ["localhost", "127.0.0.1"].includes(new URL(c.req.url).hostname);

export async function startSession<E extends { Bindings: Env }>(c: Ctx<E>, wallNow: number): Promise<void> {
  const sid = base64url(crypto.getRandomValues(new Uint8Array(18)));
  const session: Session = { p: "session", sid, exp: wallNow + SESSION_HOURS * 3_600_000, o: await ownerFingerprint(c.env) };
  setCookie(c, SESSION_COOKIE, await signToken(requiredTokenKeys(c.env), session), {
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLocal(c),
    path: "/dashboard",
    maxAge: SESSION_HOURS * 3600,
  });
}

export function endSession<E extends { Bindings: Env }>(c: Ctx<E>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/dashboard", secure: !isLocal(c) });
}

/** The session the request carries, when it is intact, unexpired and made with the current owner token. */
export async function currentSession<E extends { Bindings: Env }>(c: Ctx<E>, wallNow: number): Promise<Session | null> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie || !c.env.OWNER_TOKEN) return null;
  const session = await verifyToken(requiredTokenKeys(c.env), cookie, SessionSchema);
  if (!session || session.exp <= wallNow || !sameText(session.o, await ownerFingerprint(c.env))) return null;
  return session;
}

/** The session's CSRF token: every form posts it back, and no other site can know it. */
export async function csrfToken(env: Env, session: Session): Promise<string> {
  return base64url((await hmacSha256(requiredTokenKeys(env).current.secret, `csrf:${session.sid}`)).subarray(0, 18));
}

export async function validCsrf(env: Env, session: Session, given: string | undefined): Promise<boolean> {
  return given !== undefined && sameText(given, await csrfToken(env, session));
}

/** Who is logging in, as far as we can tell: Cloudflare's client address, else one bucket for all. */
export const clientOf = <E extends { Bindings: Env }>(c: Ctx<E>) => c.req.header("cf-connecting-ip") ?? "unknown";

/** How long the client must wait before its next attempt (0 when it may try now). */
export async function loginWait(db: D1Database, client: string, wallNow: number): Promise<number> {
  const row = await drizzle(db).select().from(loginFailures).where(eq(loginFailures.client, client)).get();
  if (!row || row.failures < FREE_FAILURES) return 0;
  const wait = Math.min(FIRST_WAIT_MS * 2 ** (row.failures - FREE_FAILURES), MAX_WAIT_MS);
  return Math.max(0, row.lastAt + wait - wallNow);
}

export async function recordLoginFailure(db: D1Database, client: string, wallNow: number): Promise<void> {
  await drizzle(db)
    .insert(loginFailures)
    .values({ client, failures: 1, lastAt: wallNow })
    .onConflictDoUpdate({ target: loginFailures.client, set: { failures: sql`${loginFailures.failures} + 1`, lastAt: wallNow } });
}

export async function clearLoginFailures(db: D1Database, client: string): Promise<void> {
  await drizzle(db).delete(loginFailures).where(eq(loginFailures.client, client));
}
