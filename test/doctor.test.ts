import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkDeployment, deploymentChecks } from "../services/deployment-checks";
import { asOwner, call } from "./helpers";

/** `GET /api/doctor` on the local default: it runs, and says what production still needs. */

describe("GET /api/doctor", () => {
  it("reports the local default's missing pieces in plain words: the outbox, the demo pages, an http address", async () => {
    const response = await asOwner("/api/doctor");
    expect(response.status).toBe(200);
    const { ok, checks } = (await response.json()) as { ok: boolean; checks: { id: string; status: string; what: string; fix?: string }[] };
    expect(ok).toBe(false);
    const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({ secrets: "ok", sender: "ok", "email-transport": "missing", "demo-pages": "missing", "public-url": "missing", "reply-mx": "unknown" });
    expect(checks.find((c) => c.id === "email-transport")!.fix).toContain("outbox");
  });

  it("with Resend as the sender, asks for its signed delivery webhook and says where to point it", () => {
    const resend = { ...env, EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_live", PUBLIC_URL: "https://follow-up.example.com/" };
    const without = deploymentChecks({ ...resend, RESEND_WEBHOOK_SECRET: undefined }, null).find((c) => c.id === "resend-webhook")!;
    expect(without.status).toBe("missing");
    expect(without.fix).toContain("https://follow-up.example.com/hooks/email/resend");
    expect(without.fix).toContain("RESEND_WEBHOOK_SECRET");
    expect(deploymentChecks({ ...resend, RESEND_WEBHOOK_SECRET: "whsec_abc" }, null).find((c) => c.id === "resend-webhook")!.status).toBe("ok");
    // Email Service's events come through the queue instead: no webhook to ask for.
    expect(deploymentChecks({ ...env, EMAIL_TRANSPORT: "email-service" }, null).some((c) => c.id === "resend-webhook")).toBe(false);
  });

  it("with WhatsApp through Twilio, asks for the account, the approved sender and the token, and says where its webhook goes", () => {
    const whatsapp = { ...env, WHATSAPP_TRANSPORT: "twilio", TWILIO_ACCOUNT_SID: "AC123", PUBLIC_URL: "https://follow-up.example.com/" };
    const without = deploymentChecks({ ...whatsapp, TWILIO_WHATSAPP_FROM: "" }, null).find((c) => c.id === "twilio-whatsapp")!;
    expect(without.status).toBe("missing");
    expect(without.fix).toContain("TWILIO_WHATSAPP_FROM");
    expect(without.fix).toContain("https://follow-up.example.com/hooks/whatsapp/twilio");
    expect(deploymentChecks({ ...whatsapp, TWILIO_WHATSAPP_FROM: "+14155238886" }, null).find((c) => c.id === "twilio-whatsapp")!.status).toBe("ok");
    // The local default keeps WhatsApp in the outbox: nothing to ask for.
    expect(deploymentChecks(env, null).some((c) => c.id === "twilio-whatsapp")).toBe(false);
  });

  it("reads the sent emails from D1: two days old and never reported means the events do not reach this Worker", async () => {
    const noDns = (async () => new Response("", { status: 503 })) as unknown as typeof fetch;
    const service = { ...env, EMAIL_TRANSPORT: "email-service" };
    expect((await checkDeployment(service, noDns)).find((c) => c.id === "delivery-events")?.status).toBe("unknown");
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    for (const id of ["doc-1", "doc-2"]) {
      await env.DB.prepare(
        "INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, sent_at) VALUES (?, 'doctor-lead', 'new-inquiry', 'ack', 'email', 'template', ?)",
      )
        .bind(id, twoDaysAgo)
        .run();
    }
    expect((await checkDeployment(service, noDns)).find((c) => c.id === "delivery-events")).toMatchObject({
      status: "missing",
      fix: expect.stringContaining("None of the 2 emails"),
    });
    await env.DB.prepare("UPDATE touches SET delivered_at = ? WHERE id = 'doc-1'")
      .bind(twoDaysAgo + 60_000)
      .run();
    expect((await checkDeployment(service, noDns)).find((c) => c.id === "delivery-events")).toMatchObject({ status: "ok", what: expect.stringContaining("1 of 2") });
  });

  it("is an owner route", async () => {
    expect((await call("/api/doctor")).status).toBe(401);
  });
});
