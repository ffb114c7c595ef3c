import { localParts } from "../time/local-time";

/**
 * When a "not now" reply says to come back: "next quarter", "in January", "after the 15th",
 * "next month", "in two weeks", "after the holidays", in English, German, French and
 * Spanish. The answer is the local calendar day the hold ends, counted from the reply's
 * day in the lead's zone. A handful of phrases, each a business rule (a quarter starts on
 * the 1st, the holidays end on 2 January), so a date-parsing library would add weight
 * without knowing the rules that matter here.
 */

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/** `YYYY-MM-DD`, the form the judgement records. */
export const isoDay = ({ year, month, day }: CalendarDay) => `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;

/** The calendar day `days` (or `months`) after `from`, with overflow carried (31 January + 1 month is 3 March). */
function shifted(from: CalendarDay, days: number, months = 0): CalendarDay {
  const date = new Date(Date.UTC(from.year, from.month - 1 + months, from.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The first of `month` (1–12) strictly after today's month: "in January" said in January means next year's. */
function nextFirstOf(today: CalendarDay, month: number): CalendarDay {
  return { year: month > today.month ? today.year : today.year + 1, month, day: 1 };
}

const MONTHS: [number, string][] = [
  [1, "january|jan|januar|jänner|janvier|enero"],
  [2, "february|feb|februar|février|febrero"],
  [3, "march|märz|mars|marzo"],
  [4, "april|apr|avril|abril"],
  [5, "may|mai|mayo"],
  [6, "june|jun|juni|juin|junio"],
  [7, "july|jul|juli|juillet|julio"],
  [8, "august|aug|août|agosto"],
  [9, "september|sept|sep|septembre|septiembre|setiembre"],
  [10, "october|oct|oktober|octobre|octubre"],
  [11, "november|nov|novembre|noviembre"],
  [12, "december|dec|dezember|décembre|diciembre"],
];
const MONTH = MONTHS.map(([, names]) => names).join("|");
const monthNumber = (name: string) => MONTHS.find(([, names]) => names.split("|").includes(name))![0];

const NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  "a couple of": 2,
  "a few": 3,
  zwei: 2,
  drei: 3,
  vier: 4,
  deux: 2,
  trois: 3,
  quatre: 4,
  dos: 2,
  tres: 3,
  cuatro: 4,
};
const COUNT = `\\d{1,2}|${Object.keys(NUMBERS)
  .sort((a, b) => b.length - a.length)
  .join("|")}`;
const count = (word: string) => (/^\d+$/.test(word) ? Number(word) : NUMBERS[word]!);

/* Word edges as lookarounds on letters: `\b` only knows ASCII, so it fails after "é". */
const phrase = (alternatives: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, "iu");

type Rule = { pattern: RegExp; day: (today: CalendarDay, match: RegExpExecArray) => CalendarDay | undefined };

const RULES: Rule[] = [
  {
    pattern: phrase("next quarter|nächste[nms]? quartal|(?:le )?trimestre prochain|(?:el )?pr[oó]ximo trimestre"),
    day: (t) => shifted({ year: t.year, month: Math.floor((t.month - 1) / 3) * 3 + 1, day: 1 }, 0, 3),
  },
  {
    pattern: phrase("(?:in |im |en |au )?q([1-4])"),
    day: (t, m) => nextFirstOf(t, (Number(m[1]) - 1) * 3 + 1),
  },
  { pattern: phrase("next month|nächste[nms]? monat|(?:le )?mois prochain|(?:el )?pr[oó]ximo mes"), day: (t) => shifted({ ...t, day: 1 }, 0, 1) },
  { pattern: phrase("next year|nächste[nms]? jahr|(?:l'|l’)ann[ée]e prochaine|(?:el )?pr[oó]ximo a[nñ]o"), day: (t) => ({ year: t.year + 1, month: 1, day: 1 }) },
  {
    pattern: phrase("next week|nächste woche|(?:la )?semaine prochaine|(?:la )?pr[oó]xima semana"),
    day: (t) => shifted(t, (8 - new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()) % 7 || 7),
  },
  {
    pattern: phrase(`(?:in|after|dans|en|within) (${COUNT}) (day|days|tag|tagen|jours?|d[ií]as?|week|weeks|wochen?|semaines?|semanas?|month|months|monate?n?|mois|mes|meses)`),
    day: (t, m) => {
      const n = count(m[1]!.toLowerCase());
      const unit = m[2]!.toLowerCase();
      if (/^(day|tag|jour|d[ií]a)/.test(unit)) return shifted(t, n);
      if (/^(week|woche|semaine|semana)/.test(unit)) return shifted(t, 7 * n);
      return shifted(t, 0, n);
    },
  },
  {
    // "after the 15th", "after the 3rd of March": a day number needs "the" or an ordinal ending, so "after 2 weeks" is a duration.
    pattern: phrase(`after (?:the (\\d{1,2})(?:st|nd|rd|th)?|(\\d{1,2})(?:st|nd|rd|th))(?: of (${MONTH}))?`),
    day: (t, m) => {
      const day = Number(m[1] ?? m[2]);
      if (day < 1 || day > 31) return undefined;
      const named = m[3]?.toLowerCase();
      const month = named ? monthNumber(named) : day > t.day ? t.month : t.month + 1;
      const year = named && (month < t.month || (month === t.month && day <= t.day)) ? t.year + 1 : t.year;
      return shifted({ year, month, day }, 1);
    },
  },
  {
    pattern: phrase(`(?:after|nach|après|despu[ée]s de) (?:the |dem |den |le |la |el )?(${MONTH})`),
    day: (t, m) => shifted(nextFirstOf(t, monthNumber(m[1]!.toLowerCase())), 0, 1),
  },
  {
    pattern: phrase(`(?:in|until|till|by|around|from|im|ab|bis|en|à partir de|hasta|a partir de) (?:early |mid |late |(?:le )?mois de )?(${MONTH})`),
    day: (t, m) => nextFirstOf(t, monthNumber(m[1]!.toLowerCase())),
  },
  {
    // The year-end holidays, when it is that season: said in July, "the holidays" may mean the summer's.
    pattern: phrase("after (?:the )?(?:holidays|new year|christmas)|nach (?:den )?(?:feiertagen|neujahr|weihnachten)|après les fêtes|despu[ée]s de (?:las )?fiestas"),
    day: (t) => (t.month >= 11 ? { year: t.year + 1, month: 1, day: 2 } : t.month === 1 && t.day < 2 ? { ...t, day: 2 } : undefined),
  },
  { pattern: phrase("after (?:the )?summer|nach dem sommer|après l[’']été|despu[ée]s del verano"), day: (t) => ({ year: t.month >= 9 ? t.year + 1 : t.year, month: 9, day: 1 }) },
];

/** The day a "not now" reply names for coming back, or nothing when it names none; the first phrase in the text wins. */
export function returnDay(text: string, now: number, timeZone: string): string | undefined {
  const { year, month, day } = localParts(now, timeZone);
  const today = { year, month, day };
  const found = RULES.flatMap((rule) => {
    const match = rule.pattern.exec(text.slice(0, 4000));
    const named = match && rule.day(today, match);
    return match && named ? [{ at: match.index, named }] : [];
  }).sort((a, b) => a.at - b.at)[0];
  return found && isoDay(found.named);
}
