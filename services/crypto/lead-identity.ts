import type { LeadId } from "../../schemas/lead";
import { AppError } from "../app-error";
import { hmacSha256, toHex } from "./hmac";

/**
 * A lead's id is a keyed hash of its normalised email, or of its E.164 phone when it has
 * no email: the same person posting twice reaches the same object with no lookup, even
 * when the posts race, and the id reveals nothing without the secret.
 */
export async function leadIdFor(secret: string | undefined, contact: { email?: string; phone?: string }): Promise<LeadId> {
  if (!secret) throw new AppError(503, "not_configured", "LEAD_ID_SECRET is not set on this deployment.");
  const subject = contact.email !== undefined ? `email:${contact.email}` : contact.phone !== undefined ? `phone:${contact.phone}` : undefined;
  if (subject === undefined) throw new AppError(422, "no_contact", "an email address or a phone number is required");
  const tag = await hmacSha256(secret, subject);
  return toHex(tag.subarray(0, 16));
}
