/** How senior a job title is, for the score and the decision-maker trigger; null when it says nothing senior. */
export function seniorityOf(title: string | undefined): "c_level" | "owner" | "vp" | "director" | null {
  if (!title) return null;
  if (/\b(owner|founder|co-founder|proprietor|inhaber|propriétaire)\b/i.test(title)) return "owner";
  if (/\b(c[etfom]o|chief [a-z ]*officer|president|managing director|geschäftsführer|general manager)\b/i.test(title)) return "c_level";
  if (/\b(vp|svp|evp|vice[- ]president)\b/i.test(title)) return "vp";
  if (/\b(director|head of)\b/i.test(title)) return "director";
  return null;
}
