import { competitorIn } from "./reply-signals";
import type { ReplyIntent } from "../../schemas/lead";

/**
 * What a person's reply asks for, by heuristics over its visible text (English, German,
 * French, Spanish, with the unsubscribe request in more languages). The AI judgement,
 * where configured, answers first; this always answers, and says how sure it is.
 */

export interface ReplyJudgement {
  intent: ReplyIntent;
  confidence: number;
  competitor?: string;
}

/** Below this a judgement is `needs_review`: the reply pauses the lead, nothing else is automatic. */
export const CONFIDENCE_FLOOR = 0.7;

type Rule = { intent: Exclude<ReplyIntent, "needs_review">; pattern: RegExp; confidence: number };

const RULES: Rule[] = [
  {
    intent: "unsubscribe",
    confidence: 0.95,
    pattern:
      /(?<![\p{L}\p{N}])(unsubscribe|remove me|take me off|opt(ing)? me out|opt[- ]out|stop (e-?mailing|emails|contacting|messaging|texting|sending)|do(n'?t| not) (e-?mail|contact|message|text|write to) me|no more (e-?mails|messages)|abmelden|austragen|keine (weiteren )?(e-?mails|nachrichten)|nicht mehr (kontaktieren|anschreiben|schreiben)|désabonn\p{L}*|désinscri\p{L}*|ne (plus )?m'?(écrivez|contactez) plus|ne plus recevoir|retirez-moi|darme de baja|dar(me)? de baja|no me (escriba|escriban|envíe|envíen|contacte)|elimíname|cancella(mi| la mia iscrizione)|disiscriv\p{L}*|non (scrivermi|contattarmi) più|afmelden|uitschrijven|verwijder mij|avregistrera|avsluta prenumeration|afmeld mig|wypisz mnie|отпишите|отписаться)(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "wrong_person",
    confidence: 0.85,
    pattern:
      /(?<![\p{L}\p{N}])(wrong (person|contact|address|email)|not the right (person|contact)|no longer (work|works|with|at) |left the company|doesn'?t work here|does not work here|i'?m not (responsible|in charge|the (right )?(person|one))|you (should|want to|need to) (talk|speak|reach out) to|nicht (mehr )?zuständig|falsche[rn]? (person|ansprechpartner)|pas la bonne personne|ne travaille plus|persona equivocada|ya no trabajo)(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "not_interested",
    confidence: 0.85,
    pattern:
      /(?<![\p{L}\p{N}])(not interested|no interest|no thanks|no thank you|not for us|we'?re good|we'?ll pass|pass on this|kein interesse|nicht interessiert|pas intéressé|ça ne m'intéresse pas|no me interesa|no estamos interesados|non (sono |siamo )?interessat)(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "not_now",
    confidence: 0.8,
    pattern:
      /(?<![\p{L}\p{N}])(not (right )?now|not the right time|bad time|maybe later|check back|circle back|reach out (again )?(in|next)|follow up (in|next)|next (month|quarter|year)|in a (few|couple of) (weeks|months)|after (the )?(holidays|summer|new year)|too busy|busy (right now|at the moment)|später|nächste[nms]? (monat|quartal|jahr)|derzeit nicht|plus tard|pas maintenant|le mois prochain|más adelante|ahora no|el próximo (mes|año))(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "pricing",
    confidence: 0.8,
    pattern: /(?<![\p{L}\p{N}])(pric(e|es|ing)|quote|cost|costs|how much|rates?|budget|preis|preise|kosten|angebot|prix|tarif|devis|combien|precio|precios|cotizaci[oó]n|cu[aá]nto cuesta)(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "interested",
    confidence: 0.8,
    pattern:
      /(?<![\p{L}\p{N}])((?<!not |no |un|n't be )interested|sounds (good|great|interesting)|let'?s (talk|chat|meet|set up|schedule|book|do it|go)|happy to (talk|chat|meet)|book (a|the) (call|demo|meeting)|schedule (a|the) (call|demo|meeting)|set up (a|the) (call|demo|meeting)|(call|meet|talk) (me )?(on|next|this|tomorrow)|available (on|at|next|this|tomorrow)|send (me )?(more|the) (info|information|details)|yes,? please|ready to (move forward|proceed|start|go)|gerne|termin|ich bin interessiert|(?<!pas )intéressé|volontiers|rendez-vous|(?<!no )me interesa|agendar|reuni[oó]n)(?![\p{L}\p{N}])/iu,
  },
  {
    intent: "objection",
    confidence: 0.75,
    pattern:
      /(?<![\p{L}\p{N}])(too expensive|too pricey|can'?t afford|out of (our )?budget|already (use|have|work with)|happy with (our|my) current|locked in|under contract|doesn'?t fit|not sure (it|this) (fits|works)|too complicated|worried about|concerned about|zu teuer|trop cher|demasiado caro)(?![\p{L}\p{N}])/iu,
  },
  { intent: "question", confidence: 0.75, pattern: /(\?\s*$|\?\s|\b(can you|could you|do you|does it|is there|how (do|does|can|long)|what (is|are|about)|wie|comment|cómo|qué)\b)/imu },
];

/* Word edges are written as lookarounds on letters: `\b` only knows ASCII, so it fails after "é". */

/** Intents that decide what happens to the lead: when two of them disagree, a person should look. */
const DECISIVE = new Set<ReplyIntent>(["unsubscribe", "wrong_person", "not_interested", "not_now"]);

export function judgeReply(text: string, competitors: readonly string[]): ReplyJudgement {
  const body = text.slice(0, 4000);
  const competitor = competitorIn(body, competitors);
  const withCompetitor = (j: ReplyJudgement): ReplyJudgement => (competitor ? { ...j, competitor } : j);
  if (!body.trim()) return withCompetitor({ intent: "needs_review", confidence: 0 });
  const hits = RULES.filter((rule) => rule.pattern.test(body));
  if (hits.length === 0) return withCompetitor({ intent: "needs_review", confidence: 0.3 });
  const [first] = hits as [Rule, ...Rule[]];
  const decisive = hits.filter((h) => DECISIVE.has(h.intent));
  // "Not interested, please remove me" agrees; "not now, but send pricing" is for a person to read.
  const conflicting = decisive.length > 0 && hits.some((h) => !DECISIVE.has(h.intent) && h.intent !== "question" && h.intent !== "objection");
  const confidence = conflicting ? first.confidence - 0.3 : first.confidence;
  return withCompetitor(confidence < CONFIDENCE_FLOOR ? { intent: "needs_review", confidence } : { intent: first.intent, confidence });
}
