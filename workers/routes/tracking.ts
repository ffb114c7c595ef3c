import { Hono } from "hono";
import { BeaconSchema, type Site } from "../../schemas/tracking";
import { AppError, invalid } from "../../services/app-error";
import { leadObject } from "../lead-stub";
import { requestFacts } from "../signals/request-facts";
import { requiredTokenKeys, tokenKeys } from "../../services/crypto/signed-token";
import { SNIPPET } from "../snippet";
import { limitBody } from "./body-limit";
import { classifyPage, countPageView, knownSites } from "../../services/d1/sites";
import { destinationOf, readClickTicket, readClickToken, readOpenToken } from "../../services/crypto/tracked-links";
import { leadForVisitor, linkVisitor } from "../../services/d1/visitors";
import { clockFrom } from "../../services/clock";
import { tooManyRequests, withinLimit } from "../abuse-limits";

/** The transparent 1×1 GIF every mail client understands. */
const PIXEL = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (c) => c.charCodeAt(0));
const NO_STORE = "no-store, no-cache, must-revalidate, private, max-age=0";

/** `/o`, `/c`, `/s.js`, `/e`: the hot path. Answers first; recording happens in `waitUntil`. */
export const tracking = new Hono<{ Bindings: Env; Variables: { site: Site } }>();

tracking.get("/o/:token", (c) => {
  const facts = requestFacts(c.req.raw);
  const token = c.req.param("token");
  c.executionCtx.waitUntil(
    (async () => {
      const keys = tokenKeys(c.env);
      const open = keys && (await readOpenToken(keys, token));
      if (!open) return; // a forged pixel still gets its GIF, and records nothing
      await leadObject(c.env, open.l).recordOpen({ messageId: open.m, sentAt: open.s, facts });
    })().catch((error) => console.error(JSON.stringify({ event: "open_not_recorded", error: String(error) }))),
  );
  return c.body(PIXEL, 200, { "content-type": "image/gif", "cache-control": NO_STORE, pragma: "no-cache" });
});

tracking.get("/c/:token", async (c) => {
  const keys = requiredTokenKeys(c.env);
  const click = await readClickToken(keys, c.req.param("token"));
  if (!click) throw new AppError(404, "unknown_link", "This link is not valid. It may have been altered or mistyped.");
  const facts = requestFacts(c.req.raw);
  c.executionCtx.waitUntil(
    leadObject(c.env, click.l)
      .recordClick({ messageId: click.m, sentAt: click.s, linkIndex: click.i, url: click.u, honeypot: click.h === 1, facts })
      .catch((error) => console.error(JSON.stringify({ event: "click_not_recorded", error: String(error) }))),
  );
  // The honeypot link has nowhere to go: people never see it.
  if (click.h === 1) return c.body(null, 204, { "cache-control": NO_STORE });
  c.header("cache-control", NO_STORE);
  c.header("referrer-policy", "no-referrer");
  return c.redirect(await destinationOf(keys, click), 302);
});

tracking.get("/s.js", (c) =>
  c.body(SNIPPET, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=3600, stale-while-revalidate=86400",
    "access-control-allow-origin": "*",
  }),
);

const MAX_BEACON_BYTES = 8 * 1024;

tracking.on(["POST", "OPTIONS"], "/e", async (c, next) => {
  const origin = c.req.header("origin");
  const site = origin ? (await knownSites(c.env.DB)).get(origin.toLowerCase()) : undefined;
  if (!site) throw new AppError(403, "unknown_site", `Beacons are accepted only from configured sites; add ${origin ?? "your site's origin"} through /api/sites.`);
  c.set("site", site);
  c.header("access-control-allow-origin", origin!);
  c.header("vary", "Origin");
  if (c.req.method === "OPTIONS") {
    c.header("access-control-allow-methods", "POST");
    c.header("access-control-allow-headers", "content-type");
    c.header("access-control-max-age", "86400");
    return c.body(null, 204);
  }
  await next();
});

tracking.post("/e", limitBody(MAX_BEACON_BYTES, "A beacon"), async (c) => {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new AppError(400, "malformed_body", "The beacon is not valid JSON.");
  }
  const parsed = BeaconSchema.safeParse(body);
  if (!parsed.success) throw invalid("invalid_beacon", "The beacon is not valid.", parsed.error);
  const beacon = parsed.data;
  const site = c.var.site;
  // A site reports its own pages: another site's URL in a beacon would classify as anything.
  if (new URL(beacon.u).origin !== site.origin.toLowerCase()) {
    throw new AppError(422, "page_not_on_site", `A beacon from ${site.origin} reports only that site's pages.`);
  }
  // A page sends a view and a leave: far more from one visitor is a script, and is not recorded.
  if (!(await withinLimit(c.env.BEACONS_PER_VISITOR, `${site.origin}|${beacon.v}`))) {
    throw tooManyRequests(c, "too_many_beacons", "Too many beacons from this visitor in the last minute; they are not recorded. Send again in a minute.");
  }
  const facts = requestFacts(c.req.raw);
  const now = clockFrom(c.env).now();
  if (site.tracking === "aggregate") {
    // Individual tracking is off for this site: count the view, tie it to nobody.
    if (beacon.t === "view") {
      const day = new Date(now).toISOString().slice(0, 10);
      c.executionCtx.waitUntil(
        countPageView(c.env.DB, site.origin, day, classifyPage(site.pageRules, beacon.u)).catch((error) =>
          console.error(JSON.stringify({ event: "page_count_failed", error: String(error) })),
        ),
      );
    }
    return c.body(null, 204);
  }
  c.executionCtx.waitUntil(
    (async () => {
      const keys = requiredTokenKeys(c.env);
      const ticketLead = beacon.k ? await readClickTicket(keys, beacon.k) : null;
      if (ticketLead) await linkVisitor(c.env.DB, beacon.v, ticketLead, now);
      const leadId = ticketLead ?? (await leadForVisitor(c.env.DB, beacon.v));
      if (!leadId) return; // visitors we cannot tie to a lead are not profiled
      const lead = leadObject(c.env, leadId);
      if (beacon.t === "leave") return lead.recordPageLeft({ pageViewId: beacon.p, engagedMs: beacon.e ?? 0 });
      return lead.recordPageView({
        pageViewId: beacon.p,
        url: beacon.u,
        pageClass: classifyPage(site.pageRules, beacon.u),
        ...(beacon.ti ? { title: beacon.ti } : {}),
        ...(beacon.r ? { referrer: beacon.r } : {}),
        ...(beacon.z ? { timezone: beacon.z } : {}),
        facts,
      });
    })().catch((error) => console.error(JSON.stringify({ event: "beacon_not_recorded", error: String(error) }))),
  );
  return c.body(null, 204);
});
