import type { Seniority } from "../../schemas/routing";

/** How senior a job title is, for the score and intent-stage routing; null when it says nothing senior. A title is typed by anyone: it hands nothing off. */
export function seniorityOf(title: string | undefined): Seniority | null {
  if (!title) return null;
  if (/\b(owner|founder|co-founder|proprietor|inhaber|propriétaire)\b/i.test(title)) return "owner";
  if (/\b(c[etfom]o|chief [a-z ]*officer|president|managing director|geschäftsführer|general manager)\b/i.test(title)) return "c_level";
  if (/\b(vp|svp|evp|vice[- ]president)\b/i.test(title)) return "vp";
  if (/\b(director|head of)\b/i.test(title)) return "director";
  return null;
}
