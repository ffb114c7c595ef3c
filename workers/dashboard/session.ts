import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { dashboardSessions, loginFailures } from "../../schemas/d1";
import { hmacSha256 } from "../../services/crypto/hmac";
import { sameSecret } from "../../services/crypto/same-secret";
import { base64url, requiredTokenKeys, signToken, verifyToken } from "../../services/crypto/signed-token";

/**
 * The dashboard's login: the owner token exchanges for a signed session cookie (HttpOnly,
 * SameSite=Strict, Secure outside localhost). Every POST carries a CSRF token derived from
 * the session. Each session is a D1 row the cookie names: logout revokes it and "log out
 * everywhere" revokes them all, so a copied cookie stops working on the server, not only in
 * the browser. Sessions also name the owner token they came from, so changing OWNER_TOKEN
 * logs every session out. Wrong tokens (login or Bearer API) are counted per client
 * address and slowed down; the right token always gets in.
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

/** Whether the given token is the owner's, compared in constant time (length included). */
export async function isOwnerToken(env: Env, given: string): Promise<boolean> {
  return Boolean(env.OWNER_TOKEN) && (await sameSecret(given, env.OWNER_TOKEN));
}

const isLocal = <E extends { Bindings: Env }>(c: Ctx<E>) => ["localhost", "127.0.0.1"].includes(new URL(c.req.url).hostname);

export async function startSession<E extends { Bindings: Env }>(c: Ctx<E>, wallNow: number): Promise<void> {
  const sid = base64url(crypto.getRandomValues(new Uint8Array(18)));
  const session: Session = { p: "session", sid, exp: wallNow + SESSION_HOURS * 3_600_000, o: await ownerFingerprint(c.env) };
  await drizzle(c.env.DB).insert(dashboardSessions).values({ id: sid, createdAt: wallNow, expiresAt: session.exp });
  setCookie(c, SESSION_COOKIE, await signToken(requiredTokenKeys(c.env), "session", session), {
    httpOnly: true,
    sameSite: "Strict",
    secure: !isLocal(c),
    path: "/dashboard",
    maxAge: SESSION_HOURS * 3600,
  });
}

/** Logs this session out on the server (its row is revoked) and in the browser. */
export async function endSession<E extends { Bindings: Env }>(c: Ctx<E>, session: Session, wallNow: number): Promise<void> {
  await drizzle(c.env.DB).update(dashboardSessions).set({ revokedAt: wallNow }).where(eq(dashboardSessions.id, session.sid));
  deleteCookie(c, SESSION_COOKIE, { path: "/dashboard", secure: !isLocal(c) });
}

/** "Log out everywhere": every session still open, on any device, is revoked. */
export async function endEverySession(db: D1Database, wallNow: number): Promise<number> {
  const result = await drizzle(db).update(dashboardSessions).set({ revokedAt: wallNow }).where(isNull(dashboardSessions.revokedAt));
  return result.meta.changes ?? 0;
}

/** The session the request carries, when it is intact, unexpired, not revoked and made with the current owner token. */
export async function currentSession<E extends { Bindings: Env }>(c: Ctx<E>, wallNow: number): Promise<Session | null> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie || !c.env.OWNER_TOKEN) return null;
  const session = await verifyToken(requiredTokenKeys(c.env), "session", cookie, SessionSchema);
  if (!session || session.exp <= wallNow || !(await sameSecret(session.o, await ownerFingerprint(c.env)))) return null;
  const open = await drizzle(c.env.DB)
    .select({ id: dashboardSessions.id })
    .from(dashboardSessions)
    .where(and(eq(dashboardSessions.id, session.sid), isNull(dashboardSessions.revokedAt), gt(dashboardSessions.expiresAt, wallNow)))
    .get();
  return open ? session : null;
}

/** The session's CSRF token: every form posts it back, and no other site can know it. */
export async function csrfToken(env: Env, session: Session): Promise<string> {
  return base64url((await hmacSha256(requiredTokenKeys(env).current.secret, `csrf:${session.sid}`)).subarray(0, 18));
}

export async function validCsrf(env: Env, session: Session, given: string | undefined): Promise<boolean> {
  return given !== undefined && (await sameSecret(given, await csrfToken(env, session)));
}

/**
 * Who is trying a token: the client address Cloudflare saw. On Cloudflare this header is
 * the platform's, not the client's: the edge sets `CF-Connecting-IP` to the address of the
 * TCP connection it accepted, overwriting any value a client sent, and a Worker cannot be
 * reached except through that edge. (`X-Forwarded-For` and the like are client-supplied and
 * are never read.) Locally, with no edge in front, every request shares one bucket.
 */
export const clientOf = <E extends { Bindings: Env }>(c: Ctx<E>) => c.req.header("cf-connecting-ip") ?? "unknown";

/** Failures older than this are forgotten: a client's count starts again. */
export const FAILURE_MEMORY_MS = 86_400_000;

/** How long the client must wait before its next wrong attempt counts (0 when it may try now). */
export async function loginWait(db: D1Database, client: string, wallNow: number): Promise<number> {
  const row = await drizzle(db).select().from(loginFailures).where(eq(loginFailures.client, client)).get();
  if (!row || row.failures < FREE_FAILURES || row.lastAt < wallNow - FAILURE_MEMORY_MS) return 0;
  const wait = Math.min(FIRST_WAIT_MS * 2 ** (row.failures - FREE_FAILURES), MAX_WAIT_MS);
  return Math.max(0, row.lastAt + wait - wallNow);
}

export async function recordLoginFailure(db: D1Database, client: string, wallNow: number): Promise<void> {
  await drizzle(db)
    .insert(loginFailures)
    .values({ client, failures: 1, lastAt: wallNow })
    .onConflictDoUpdate({
      target: loginFailures.client,
      set: { failures: sql`CASE WHEN ${loginFailures.lastAt} < ${wallNow - FAILURE_MEMORY_MS} THEN 1 ELSE ${loginFailures.failures} + 1 END`, lastAt: wallNow },
    });
}

export async function clearLoginFailures(db: D1Database, client: string): Promise<void> {
  await drizzle(db).delete(loginFailures).where(eq(loginFailures.client, client));
}

/**
 * Judges a presented owner token, the same way for the dashboard login and the Bearer API.
 * The right token is checked first and always passes, so a crowd guessing from the owner's
 * (shared) address cannot lock the owner out. A wrong one is refused with the seconds to
 * wait when this client is past its free failures, else counted.
 */
export async function judgeOwnerToken<E extends { Bindings: Env }>(c: Ctx<E>, given: string, wallNow: number): Promise<{ ok: true } | { ok: false; retryAfterS: number }> {
  if (await isOwnerToken(c.env, given)) return { ok: true };
  const client = clientOf(c);
  const wait = await loginWait(c.env.DB, client, wallNow);
  if (wait > 0) return { ok: false, retryAfterS: Math.ceil(wait / 1000) };
  await recordLoginFailure(c.env.DB, client, wallNow);
  return { ok: false, retryAfterS: 0 };
}
