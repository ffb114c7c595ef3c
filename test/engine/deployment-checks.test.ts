import { describe, expect, it } from "vitest";
import { emailTransportName } from "../../services/channels/select";
import { deploymentChecks, lookUpMx, lookUpMxRemembered } from "../../services/deployment-checks";

/** The doctor's checklist: what a deployment still needs before it sends for real. */

const PRODUCTION = {
  OWNER_TOKEN: "o".repeat(43),
  LEAD_ID_SECRET: "l".repeat(43),
  TOKEN_SECRET: "t".repeat(43),
  PUBLIC_URL: "https://follow-up.roofing.example.org",
  SENDER_NAME: "Sam Reed",
  SENDER_COMPANY: "Reed Roofing",
  SENDER_EMAIL: "sam@roofing.example.org",
  SENDER_POSTAL_ADDRESS: "1 Main St, Springfield",
  REPLY_DOMAIN: "reply.roofing.example.org",
  OWNER_EMAIL: "sam@roofing.example.org",
  EMAIL_TRANSPORT: "email-service",
  EMAIL: {},
  HANDOFF_EMAIL: "sales@roofing.example.org",
  CLOCK_SPEED: "1",
  DEMO_PAGES: "off",
} as unknown as Env;
const ROUTED = ["route1.mx.cloudflare.net", "route2.mx.cloudflare.net"];
const REPORTED = { sent: 40, reported: 38 };
const missing = (env: Env, mx: string[] | null = ROUTED) =>
  deploymentChecks(env, mx, undefined, REPORTED)
    .filter((c) => c.status !== "ok")
    .map((c) => c.id);

describe("the doctor", () => {
  it("a complete production configuration has nothing missing", () => {
    expect(missing(PRODUCTION)).toEqual([]);
  });

  it("names each missing piece, with what to do", () => {
    const local = {
      ...PRODUCTION,
      OWNER_TOKEN: "",
      PUBLIC_URL: "http://localhost:8787",
      EMAIL_TRANSPORT: "outbox",
      DEMO_PAGES: "on",
      CLOCK_SPEED: "8640",
      HANDOFF_EMAIL: "",
    } as unknown as Env;
    expect(missing(local)).toEqual(["secrets", "public-url", "email-transport", "hand-off-destination", "real-time", "demo-pages"]);
    const secrets = deploymentChecks(local, ROUTED).find((c) => c.id === "secrets")!;
    expect(secrets.fix).toContain("OWNER_TOKEN");
    expect(secrets.fix).not.toContain("LEAD_ID_SECRET");
  });

  it("sees a missing event subscription or webhook by its effect: emails a day old that no delivery event came back for", () => {
    const events = (env: Env, reports: { sent: number; reported: number } | null) => deploymentChecks(env, ROUTED, undefined, reports).find((c) => c.id === "delivery-events");
    expect(events(PRODUCTION, { sent: 12, reported: 0 })).toMatchObject({ status: "missing", fix: expect.stringContaining("edge-follow-up-email-events") });
    const resend = { ...PRODUCTION, EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_x", RESEND_WEBHOOK_SECRET: "whsec_x" } as unknown as Env;
    expect(events(resend, { sent: 12, reported: 0 })).toMatchObject({ status: "missing", fix: expect.stringContaining("/hooks/email/resend") });
    expect(events(PRODUCTION, { sent: 12, reported: 11 })).toMatchObject({ status: "ok", what: expect.stringContaining("11 of 12") });
    // Nothing sent yet, or D1 unreadable: it cannot tell, and says so.
    expect(events(PRODUCTION, { sent: 0, reported: 0 })?.status).toBe("unknown");
    expect(events(PRODUCTION, null)?.status).toBe("unknown");
    // The outbox sends nothing, so nothing is reported and nothing is asked.
    expect(events({ ...PRODUCTION, EMAIL_TRANSPORT: "outbox" } as unknown as Env, { sent: 12, reported: 0 })).toBeUndefined();
  });

  it("EMAIL_TRANSPORT auto (production's default) sends through Resend once its key is set, else Email Service", () => {
    const auto = { ...PRODUCTION, EMAIL_TRANSPORT: "auto" } as unknown as Env;
    expect(emailTransportName(auto)).toBe("email-service");
    expect(deploymentChecks(auto, ROUTED).map((c) => c.id)).toContain("email-binding");
    const withKey = { ...auto, RESEND_API_KEY: "re_live" } as unknown as Env;
    expect(emailTransportName(withKey)).toBe("resend");
    const ids = deploymentChecks(withKey, ROUTED).map((c) => c.id);
    expect(ids).toContain("resend-webhook");
    expect(ids).not.toContain("email-binding");
    // A name it does not know sends nothing rather than guessing.
    expect(emailTransportName({ EMAIL_TRANSPORT: "sendgrid" } as unknown as Env)).toBe("outbox");
  });

  it("replies on the sender's own domain are refused: Email Routing would take over its mailboxes' MX", () => {
    expect(missing({ ...PRODUCTION, REPLY_DOMAIN: "" } as unknown as Env)).toContain("reply-subdomain");
  });

  it("reads the reply domain's MX records: Cloudflare's are ok, others are named, an unreachable DNS is unknown", () => {
    expect(missing(PRODUCTION, ["aspmx.l.google.com"])).toEqual(["reply-mx"]);
    expect(deploymentChecks(PRODUCTION, ["aspmx.l.google.com"]).find((c) => c.id === "reply-mx")!.fix).toContain("aspmx.l.google.com");
    expect(deploymentChecks(PRODUCTION, null).find((c) => c.id === "reply-mx")!.status).toBe("unknown");
  });

  it("asks DNS over HTTPS for MX records, and never for names reserved for examples", async () => {
    const asked: string[] = [];
    const dns = (async (url: string) => {
      asked.push(url);
      return Response.json({
        Answer: [
          { type: 15, data: "10 route1.mx.cloudflare.net." },
          { type: 5, data: "alias.example." },
        ],
      });
    }) as unknown as typeof fetch;
    expect(await lookUpMx("reply.roofing.co", dns)).toEqual(["route1.mx.cloudflare.net."]);
    expect(asked[0]).toContain("name=reply.roofing.co&type=MX");
    expect(await lookUpMx("reply.example.com", dns)).toBeNull();
    expect(asked).toHaveLength(1);
  });

  it("the overview's lookup is remembered five minutes per domain, failures too, then asked again", async () => {
    let answers = 0;
    const dns = (async () => {
      answers += 1;
      return answers === 1 ? new Response("busy", { status: 503 }) : Response.json({ Answer: [{ type: 15, data: "10 mx.hostname.example." }] });
    }) as unknown as typeof fetch;
    const t0 = 1_800_000_000_000;
    expect(await lookUpMxRemembered("reply.remembered.co", dns, t0)).toBeNull();
    expect(await lookUpMxRemembered("reply.remembered.co", dns, t0 + 4 * 60_000)).toBeNull();
    expect(answers).toBe(1);
    expect(await lookUpMxRemembered("reply.remembered.co", dns, t0 + 5 * 60_000)).toEqual(["mx.hostname.example."]);
    expect(answers).toBe(2);
    // Another domain is its own question.
    expect(await lookUpMxRemembered("reply.other.co", dns, t0 + 5 * 60_000)).toEqual(["mx.hostname.example."]);
    expect(answers).toBe(3);
  });
});
