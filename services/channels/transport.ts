/**
 * One interface per channel; adapters send through a provider or keep the message in the
 * outbox. Every send carries an idempotency key (lead + touch) so a retried alarm never
 * reaches the recipient twice where the provider honours it, and the outbox stores once.
 */

export interface EmailOut {
  from: { name: string; email: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  /** Threading and list headers; never From/To/Subject/Reply-To (those are fields). */
  headers: Record<string, string>;
  /** The Message-ID we propose; a provider that assigns its own reports that one back. */
  messageId: string;
}

export interface SmsOut {
  from: string;
  to: string;
  text: string;
}

/**
 * A WhatsApp message, addressed `whatsapp:+E164` as Twilio writes it: free text inside the
 * 24-hour window, or an approved template (its Content SID and variables) outside it.
 */
export type WhatsappOut = { from: string; to: string } & ({ text: string } | { template: { contentSid: string; variables: Record<string, string> } });

/**
 * `recipientSuppressed`: the provider refuses the address itself (it is on the provider's
 * suppression list after a bounce or complaint); nothing sent there can arrive.
 */
export type SendResult = { ok: true; messageId: string; providerId?: string } | { ok: false; permanent: boolean; reason: string; recipientSuppressed?: true };

/** A provider's answer to a request that sends nothing (a suppression-list change). */
export type ProviderResult = { ok: true } | { ok: false; permanent: boolean; reason: string };

/**
 * The provider's own suppression list, where it has an API: an address we stop mailing is
 * added there too, so a message sent by any other tool on the account does not reach it.
 */
export interface ProviderSuppressionList {
  add(address: string): Promise<ProviderResult>;
  remove(address: string): Promise<ProviderResult>;
}

export interface EmailTransport {
  readonly name: string;
  sendEmail(message: EmailOut, idempotencyKey: string, leadId: string): Promise<SendResult>;
  readonly suppressionList?: ProviderSuppressionList;
}

export interface SmsTransport {
  readonly name: string;
  sendSms(message: SmsOut, idempotencyKey: string, leadId: string): Promise<SendResult>;
}

export interface WhatsappTransport {
  readonly name: string;
  sendWhatsapp(message: WhatsappOut, idempotencyKey: string, leadId: string): Promise<SendResult>;
}

/** Providers' HTTP answers: throttling and server errors pass, other refusals are final. */
export async function resultOfResponse(
  response: Response,
  provider: string,
  messageIdOf: (body: unknown) => { messageId: string; providerId?: string } | undefined,
): Promise<SendResult> {
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const ids = messageIdOf(body);
    return ids ? { ok: true, ...ids } : { ok: false, permanent: false, reason: `${provider} answered ${response.status} without a message id` };
  }
  return refusalOf(response, body, provider);
}

/** A request that sends nothing: success is any 2xx. */
export async function providerResultOf(response: Response, provider: string): Promise<ProviderResult> {
  if (response.ok) return { ok: true };
  return refusalOf(response, await response.json().catch(() => null), provider);
}

function refusalOf(response: Response, body: unknown, provider: string): { ok: false; permanent: boolean; reason: string } {
  const detail = typeof body === "object" && body !== null && "message" in body ? `: ${String((body as { message: unknown }).message).slice(0, 200)}` : "";
  const passing = response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500;
  return { ok: false, permanent: !passing, reason: `${provider} answered ${response.status}${detail}` };
}

/** A network error or timeout is always worth another try. */
export function resultOfError(error: unknown, provider: string): { ok: false; permanent: false; reason: string } {
  const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : String(error).slice(0, 200);
  return { ok: false, permanent: false, reason: `${provider}: ${reason}` };
}

/** Providers get this long to accept a message before the attempt counts as a passing failure. */
export const PROVIDER_TIMEOUT_MS = 10_000;
