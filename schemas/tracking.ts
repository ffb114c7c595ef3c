import { z } from "zod";
import { LeadIdSchema } from "./lead";
import { OriginSchema } from "./origin";
import { ChatSettingsSchema } from "./chat";

export type { Verdict } from "./lead";

/** An open pixel's token: which lead, which message, when the message was sent. */
export const OpenTokenSchema = z.object({ l: LeadIdSchema, m: z.string().min(1).max(64), s: z.number().int() });
export type OpenToken = z.infer<typeof OpenTokenSchema>;

/**
 * A tracked link's token. The destination `u` is inside the signature: the redirect can
 * only ever go where the message said. `i` is the link's index; `h` marks the honeypot
 * link that people never see.
 */
export const ClickTokenSchema = OpenTokenSchema.extend({
  i: z.number().int().min(0).max(999),
  u: z.url({ protocol: /^https?$/ }),
  h: z.literal(1).optional(),
  /** The destination is on one of the owner's sites: append a click ticket for the snippet. */
  o: z.literal(1).optional(),
});
export type ClickToken = z.infer<typeof ClickTokenSchema>;

/** A click ticket, appended to links to the owner's own sites so the snippet can identify the visitor. */
export const ClickTicketSchema = z.object({ t: z.literal("ticket"), l: LeadIdSchema });
export type ClickTicket = z.infer<typeof ClickTicketSchema>;

/** Who owns the address a request came from, by the published ranges we ship. */
export const NetworkOwnerSchema = z.enum(["apple_relay", "google", "googlebot", "bing", "microsoft"]);
export type NetworkOwner = z.infer<typeof NetworkOwnerSchema>;

/** What the Worker saw of the request; the object adds what only it knows (send time, bursts). */
export const RequestFactsSchema = z.object({
  userAgent: z.string().max(1024),
  /** The user agent is on a well-kept list of bots (isbot). */
  botAgent: z.boolean(),
  network: NetworkOwnerSchema.nullable(),
  /** HEAD, or a browser prefetch/prerender: answered, never counted. */
  prefetch: z.boolean(),
});
export type RequestFacts = z.infer<typeof RequestFactsSchema>;

/** A page class rule: a pathname pattern (`*` matches anything) and the class it gives. */
export const PageRuleSchema = z.object({
  pattern: z.string().min(1).max(200),
  class: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
});
export type PageRule = z.infer<typeof PageRuleSchema>;

export const DEFAULT_PAGE_RULES: PageRule[] = [
  { pattern: "/pricing*", class: "pricing" },
  { pattern: "/plans*", class: "pricing" },
  { pattern: "/demo*", class: "demo" },
  { pattern: "/book*", class: "booking" },
  { pattern: "/schedule*", class: "booking" },
  { pattern: "/case-stud*", class: "case-study" },
  { pattern: "/customers*", class: "case-study" },
  { pattern: "/blog*", class: "content" },
];

/** A site that runs the snippet: its origin, page rules, and whether individuals are tracked. */
export const SiteSchema = z.object({
  origin: OriginSchema,
  pageRules: z.array(PageRuleSchema).max(200).default(DEFAULT_PAGE_RULES),
  /** `aggregate` turns individual tracking off: page views are only counted, never tied to a lead. */
  tracking: z.enum(["individual", "aggregate"]).default("individual"),
  /** Site chat; absent or off, the snippet loads no widget. */
  chat: ChatSettingsSchema.optional(),
});
export type Site = z.infer<typeof SiteSchema>;

/** One beacon from the snippet. Short keys keep `sendBeacon` bodies small. */
export const BeaconSchema = z.object({
  /** visitor id kept in the site's own storage */
  v: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** page view id, shared by a view and its leave */
  p: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/),
  t: z.enum(["view", "leave"]),
  u: z.url({ protocol: /^https?$/ }).max(2048),
  r: z.string().max(2048).optional(),
  ti: z.string().max(300).optional(),
  /** engaged (visible, active) milliseconds on the page, on leave */
  e: z.number().int().min(0).max(86_400_000).optional(),
  /** a click ticket the snippet picked up from a tracked link */
  k: z.string().max(1024).optional(),
  /** the browser's IANA timezone, on view */
  z: z.string().max(64).optional(),
});
export type Beacon = z.infer<typeof BeaconSchema>;

/** An unsubscribe link's token: which lead. Never expires while its key verifies (rotate keys, not links). */
export const UnsubscribeTokenSchema = z.object({ t: z.literal("unsub"), l: LeadIdSchema });
export type UnsubscribeToken = z.infer<typeof UnsubscribeTokenSchema>;

/**
 * The link in a re-consent confirmation email: which lead, and when the consent it restores
 * was withdrawn (`w`), so an old link cannot undo a later unsubscribe.
 */
export const ReconsentTokenSchema = z.object({ t: z.literal("reconsent"), l: LeadIdSchema, w: z.number() });
export type ReconsentToken = z.infer<typeof ReconsentTokenSchema>;
