import type { BuyingIntent, Objection, ReplyIntent, ReplyJudgement } from "../../schemas/lead";
import { returnDay } from "./return-date";

/**
 * The rules' judgement of a person's reply: what it asks for and how sure, and what in it
 * matters for a hand-off (buying intent, an objection, a decision-maker, a competitor).
 * Heuristics over the visible text (English, German, French, Spanish, with the unsubscribe
 * request in more languages). The model, where one is bound, judges first; these always
 * answer. A reply is judged once, when it arrives: what follows reads the recorded
 * judgement, never the words again.
 */

/** Below this a judgement is `needs_review`: the reply pauses the lead, nothing else is automatic. */
export const CONFIDENCE_FLOOR = 0.7;

/* Word edges are written as lookarounds on letters: `\b` only knows ASCII, so it fails after "é". */
const words = (alternatives: string, flags = "iu") => new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives})(?![\\p{L}\\p{N}])`, flags);

/** The concerns a reply can raise, each in the words people use for it. */
const OBJECTIONS: Record<Objection, string> = {
  price: "too expensive|too pricey|can'?t afford|out of (our )?budget|zu teuer|trop cher|demasiado caro",
  timing: "not (the )?right time|maybe later|next (quarter|year)|not now|busy right now",
  incumbent: "already (use|have|work with)|happy with (our|my) current|locked in|under contract",
  fit: "not sure (it|this) (fits|works)|doesn'?t fit|too complicated|worried about|concerned about",
};

const OBJECTION_PATTERNS = (Object.entries(OBJECTIONS) as [Objection, string][]).map(([objection, alternatives]) => [objection, words(alternatives)] as const);

const PRICING = "pric(e|es|ing)|quote|cost|costs|how much|rates?|budget|preis|preise|kosten|angebot|prix|tarif|devis|combien|precio|precios|cotizaci[oó]n|cu[aá]nto cuesta";

/** What says the person means to buy, most telling first. */
const BUYING_INTENT: [BuyingIntent, RegExp][] = [
  ["ready_to_proceed", words("ready to (move forward|proceed|go|start|sign)|let'?s (do it|go ahead|proceed|move forward)|where do i sign")],
  ["contract_terms", words("contract|terms( and conditions)?|msa|purchase order|invoice us|vertrag|contrat|contrato")],
  ["implementation", words("implementation|onboarding|rollout|go-live|timeline to (launch|implement)|how (soon|quickly) can (we|you) start|start date")],
  ["pricing", words(PRICING)],
];

/** "I'm the CEO", "as head of operations": the role the person says they hold is the third group. */
const DECISION_MAKER =
  /(?<![\p{L}\p{N}])(i am|i'm|as) (the )?(ceo|cfo|coo|cto|cmo|founder|co-founder|owner|president|vp(?![\p{L}\p{N}])|vice president|head of|director|managing director|geschäftsführer|gérant|director general)/iu;

type Rule = { intent: Exclude<ReplyIntent, "needs_review">; pattern: RegExp; confidence: number };

const RULES: Rule[] = [
  {
    intent: "unsubscribe",
    confidence: 0.95,
    pattern: words(
      "unsubscribe|remove me|take me off|opt(ing)? me out|opt[- ]out|stop (e-?mailing|emails|contacting|messaging|texting|sending)|do(n'?t| not) (e-?mail|contact|message|text|write to) me|no more (e-?mails|messages)|abmelden|austragen|keine (weiteren )?(e-?mails|nachrichten)|nicht mehr (kontaktieren|anschreiben|schreiben)|désabonn\\p{L}*|désinscri\\p{L}*|ne (plus )?m'?(écrivez|contactez) plus|ne plus recevoir|retirez-moi|darme de baja|dar(me)? de baja|no me (escriba|escriban|envíe|envíen|contacte)|elimíname|cancella(mi| la mia iscrizione)|disiscriv\\p{L}*|non (scrivermi|contattarmi) più|afmelden|uitschrijven|verwijder mij|avregistrera|avsluta prenumeration|afmeld mig|wypisz mnie|отпишите|отписаться",
    ),
  },
  {
    intent: "wrong_person",
    confidence: 0.85,
    pattern: words(
      "wrong (person|contact|address|email)|not the right (person|contact)|no longer (work|works|with|at) |left the company|doesn'?t work here|does not work here|i'?m not (responsible|in charge|the (right )?(person|one))|you (should|want to|need to) (talk|speak|reach out) to|nicht (mehr )?zuständig|falsche[rn]? (person|ansprechpartner)|pas la bonne personne|ne travaille plus|persona equivocada|ya no trabajo",
    ),
  },
  {
    intent: "not_interested",
    confidence: 0.85,
    pattern: words(
      "not interested|no interest|no thanks|no thank you|not for us|we'?re good|we'?ll pass|pass on this|kein interesse|nicht interessiert|pas intéressé|ça ne m'intéresse pas|no me interesa|no estamos interesados|non (sono |siamo )?interessat",
    ),
  },
  {
    intent: "not_now",
    confidence: 0.8,
    pattern: words(
      "not (right )?now|not the right time|bad time|maybe later|check back|circle back|reach out (again )?(in|next)|follow up (in|next)|next (month|quarter|year)|in a (few|couple of) (weeks|months)|after (the )?(holidays|summer|new year)|too busy|busy (right now|at the moment)|später|nächste[nms]? (monat|quartal|jahr)|derzeit nicht|plus tard|pas maintenant|le mois prochain|más adelante|ahora no|el próximo (mes|año)",
    ),
  },
  { intent: "pricing", confidence: 0.8, pattern: words(PRICING) },
  {
    intent: "interested",
    confidence: 0.8,
    pattern: words(
      "(?<!not |no |un|n't be )interested|sounds (good|great|interesting)|let'?s (talk|chat|meet|set up|schedule|book|do it|go)|happy to (talk|chat|meet)|book (a|the) (call|demo|meeting)|schedule (a|the) (call|demo|meeting)|set up (a|the) (call|demo|meeting)|(call|meet|talk) (me )?(on|next|this|tomorrow)|available (on|at|next|this|tomorrow)|send (me )?(more|the) (info|information|details)|yes,? please|ready to (move forward|proceed|start|go)|gerne|termin|ich bin interessiert|(?<!pas )intéressé|volontiers|rendez-vous|(?<!no )me interesa|agendar|reuni[oó]n",
    ),
  },
  // Timing is the not-now intent's to decide; the other concerns make a reply an objection.
  { intent: "objection", confidence: 0.75, pattern: words([OBJECTIONS.price, OBJECTIONS.incumbent, OBJECTIONS.fit].join("|")) },
  {
    intent: "question",
    confidence: 0.75,
    pattern: /(\?\s*$|\?\s|\b(can you|could you|do you|does it|is there|how (do|does|can|long)|what (is|are|about)|wie|comment|cómo|qué)\b)/imu,
  },
];

/** Intents that decide what happens to the lead: when two of them disagree, a person should look. */
const DECISIVE = new Set<ReplyIntent>(["unsubscribe", "wrong_person", "not_interested", "not_now"]);

/** A reply that turns the offer down: whatever else it names is not buying intent. */
const DECLINING = new Set<ReplyIntent>(["unsubscribe", "not_interested"]);

/** The first configured competitor the text names as a whole word (in any script), trimmed. */
export function competitorIn(text: string, competitors: readonly string[]): string | undefined {
  const escapeRegExp = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return competitors.map((c) => c.trim()).find((name) => name && new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(name)}([^\\p{L}\\p{N}]|$)`, "iu").test(text));
}

function intentOf(hits: Rule[]): Pick<ReplyJudgement, "intent" | "confidence"> {
  const [first] = hits;
  if (!first) return { intent: "needs_review", confidence: 0.3 };
  const decisive = hits.filter((h) => DECISIVE.has(h.intent));
  // "Not interested, please remove me" agrees; "not now, but send pricing" is for a person to read.
  const conflicting = decisive.length > 0 && hits.some((h) => !DECISIVE.has(h.intent) && h.intent !== "question" && h.intent !== "objection");
  const confidence = conflicting ? first.confidence - 0.3 : first.confidence;
  return confidence < CONFIDENCE_FLOOR ? { intent: "needs_review", confidence } : { intent: first.intent, confidence };
}

/** The rules' judgement of a reply's visible text; `competitors` is the owner's list. */
export function judgeReply(text: string, competitors: readonly string[]): ReplyJudgement {
  const body = text.slice(0, 4000);
  const competitor = competitorIn(body, competitors);
  if (!body.trim()) return { intent: "needs_review", confidence: 0, judgedBy: "rules", ...(competitor ? { competitor } : {}) };
  const hits = RULES.filter((rule) => rule.pattern.test(body));
  const declining = hits.some((h) => DECLINING.has(h.intent));
  const buyingIntent = declining ? undefined : BUYING_INTENT.find(([, pattern]) => pattern.test(body))?.[0];
  const objection = OBJECTION_PATTERNS.find(([, pattern]) => pattern.test(body))?.[0];
  const decisionMaker = DECISION_MAKER.exec(body)?.[3]?.trim();
  return {
    ...intentOf(hits),
    judgedBy: "rules",
    ...(buyingIntent ? { buyingIntent } : {}),
    ...(objection ? { objection } : {}),
    ...(decisionMaker ? { decisionMaker } : {}),
    ...(competitor ? { competitor } : {}),
  };
}

/**
 * A "not now" carries the day the reply names for coming back ("next quarter", "in
 * January"), counted in the lead's zone. A judgement made at the edge, which does not know
 * the lead's zone, is completed here when the reply arrives at the lead; one that already
 * names a day (the model's) keeps it.
 */
export function withReturnDay(judgement: ReplyJudgement, text: string, now: number, timeZone: string): ReplyJudgement {
  if (judgement.intent !== "not_now" || judgement.holdUntil) return judgement;
  const holdUntil = returnDay(text, now, timeZone);
  return holdUntil ? { ...judgement, holdUntil } : judgement;
}
