/**
 * What a person's reply says that matters for a hand-off: buying intent, a competitor, a
 * decision-maker, an objection. Heuristics over the visible text (English, German, French,
 * Spanish); the replies issue's judgement can refine them, these always answer.
 */

export interface ReplySignals {
  buyingIntent?: string;
  competitor?: string;
  decisionMaker?: string;
  objection?: string;
  notInterested: boolean;
}

const BUYING_INTENT: [RegExp, string][] = [
  [/\b(ready to (move forward|proceed|go|start|sign)|let'?s (do it|go ahead|proceed|move forward)|where do i sign)\b/i, "ready to move forward"],
  [/\b(contract|terms( and conditions)?|msa|purchase order|invoice us|vertrag|contrat|contrato)\b/i, "contract terms"],
  [/\b(implementation|onboarding|rollout|go-live|timeline to (launch|implement)|how (soon|quickly) can (we|you) start|start date)\b/i, "implementation timeline"],
  [/\b(pric(e|es|ing)|quote|cost|costs|budget|how much|preis|prix|tarif|precio|cotizaci[oó]n)\b/i, "pricing"],
];

const DECISION_MAKER = /\b(i am|i'm|as) (the )?(ceo|cfo|coo|cto|cmo|founder|co-founder|owner|president|vp\b|vice president|head of|director|managing director|geschäftsführer|gérant|director general)/i;

const OBJECTION: [RegExp, string][] = [
  [/\b(too expensive|too pricey|can'?t afford|out of (our )?budget|zu teuer|trop cher|demasiado caro)\b/i, "price"],
  [/\b(not (the )?right time|maybe later|next (quarter|year)|not now|busy right now)\b/i, "timing"],
  [/\b(already (use|have|work with)|happy with (our|my) current|locked in)\b/i, "incumbent"],
  [/\b(not sure (it|this) (fits|works)|doesn'?t fit|too complicated|worried about)\b/i, "fit"],
];

const NOT_INTERESTED = /\b(not interested|no thanks|no thank you|please stop|remove me|kein interesse|pas intéressé|no me interesa)\b/i;

/** Seniority from a job title, for scoring and the decision-maker trigger. */
export function seniorityOf(title: string | undefined): "c_level" | "owner" | "vp" | "director" | null {
  if (!title) return null;
  if (/\b(owner|founder|co-founder|proprietor|inhaber|propriétaire)\b/i.test(title)) return "owner";
  if (/\b(c[etfom]o|chief [a-z ]*officer|president|managing director|geschäftsführer|general manager)\b/i.test(title)) return "c_level";
  if (/\b(vp|svp|evp|vice[- ]president)\b/i.test(title)) return "vp";
  if (/\b(director|head of)\b/i.test(title)) return "director";
  return null;
}

/** The first configured competitor the text names as a whole word (in any script), trimmed. */
export function competitorIn(text: string, competitors: readonly string[]): string | undefined {
  const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return competitors.map((c) => c.trim()).find((name) => name && new RegExp(`(^|[^\\p{L}\\p{N}])${escape(name)}([^\\p{L}\\p{N}]|$)`, "iu").test(text));
}

export function readReply(text: string, competitors: readonly string[]): ReplySignals {
  const notInterested = NOT_INTERESTED.test(text);
  const buyingIntent = notInterested ? undefined : BUYING_INTENT.find(([pattern]) => pattern.test(text))?.[1];
  const competitor = competitorIn(text, competitors);
  const decisionMaker = DECISION_MAKER.exec(text)?.[3]?.trim();
  const objection = OBJECTION.find(([pattern]) => pattern.test(text))?.[1];
  return {
    notInterested,
    ...(buyingIntent ? { buyingIntent } : {}),
    ...(competitor ? { competitor } : {}),
    ...(decisionMaker ? { decisionMaker } : {}),
    ...(objection ? { objection } : {}),
  };
}
