import { SequenceSchema, type Sequence, type SequenceInput } from "./sequence";

/**
 * The playbooks that ship. Touch days follow the common follow-up playbooks; waits are
 * written from one step to the next, so "day 7" after "day 5" is a wait of two days.
 * Owners replace any of them by putting a sequence with the same id (a new version).
 */

const hi = "Hi {{firstName|there}},";
const signoff = "\n\n{{senderName}}\n{{senderCompany}}";

/**
 * The 6-touch framework: answer at once, then value, proof, the likely objection, a booking
 * ask and another way in, over ten days. Day 2–3 and day 7 also text where the lead gave SMS
 * consent; every step has words for the SMS path a lead without an email address follows.
 */
const newInquiry: SequenceInput = {
  id: "new-inquiry",
  name: "New inquiry",
  description: "The 6-touch framework: instant acknowledgement, then value, proof, the likely objection, a booking ask and an alternative over ten days.",
  steps: [
    {
      id: "acknowledge",
      intent: "acknowledge",
      channels: ["sms", "email"],
      instant: true,
      sms: { text: "Hi {{firstName|there}}, it's {{senderName}} from {{senderCompany}}. Got your request and I'm on it. Reply here any time." },
      email: {
        subject: "Got your request, {{firstName|there}}",
        body: `${hi}\n\nThanks for reaching out to {{senderCompany}}. I have your request and will come back to you personally.\n\nIf it's easier to talk, pick a time here: {{bookingUrl}}${signoff}`,
      },
    },
    {
      id: "value",
      intent: "value",
      channels: ["email"],
      wait: { days: 1 },
      email: {
        subject: "Something useful while you decide",
        body: `${hi}\n\nA short guide most of our customers read before they start: {{siteUrl}}\n\nHappy to answer anything it doesn't.${signoff}`,
      },
      bySource: {
        "pricing-page": {
          subject: "How our pricing works",
          body: `${hi}\n\nYou came in from our pricing page, so here is how customers like you usually choose a plan: {{siteUrl}}\n\nI can run the numbers for {{company|your team}} if that helps.${signoff}`,
        },
        referral: {
          subject: "Glad you were sent our way",
          body: `${hi}\n\nReferrals are how most of our customers find us. Here is what they usually ask first: {{siteUrl}}${signoff}`,
        },
      },
      sms: { text: "{{senderName}} here again. A short guide most customers read before they start: {{siteUrl}}" },
    },
    {
      id: "proof",
      intent: "proof",
      knowledge: "case_study",
      channels: ["email", "sms"],
      wait: { days: 2 },
      email: {
        subject: "How a customer like you did it",
        body: `${hi}\n\nOne of our customers was in your position last year. Their story, in two minutes: {{siteUrl}}${signoff}`,
      },
      sms: { text: "A customer in your shoes last year, in two minutes: {{siteUrl}} ({{senderName}}, {{senderCompany}})" },
      branches: [{ if: { signal: "opened", not: true, step: "value" }, then: { do: "resend", step: "value", subject: "In case this got buried, {{firstName|there}}" } }],
    },
    {
      id: "objection",
      intent: "objection",
      knowledge: "objection",
      channels: ["email"],
      wait: { days: 2 },
      // No alternative angle: a silent lead still gets the answer to the likely objection.
      email: {
        body: `${hi}\n\nThe question I hear most at this point is whether it's worth the time to switch. Short answer: most customers are set up in a day, and we do the heavy lifting.${signoff}`,
      },
      sms: { text: "Most people ask us whether switching is worth the time. Short answer: set up in a day, and we do the heavy lifting. {{senderName}}" },
    },
    {
      id: "booking",
      intent: "booking_ask",
      channels: ["email", "sms"],
      wait: { days: 2 },
      atPeakHour: true,
      email: {
        subject: "15 minutes this week?",
        body: `${hi}\n\nWould a quick call help? Pick any time that suits you: {{bookingUrl}}${signoff}`,
      },
      alternative: {
        subject: "One link, if it helps",
        body: `${hi}\n\nIf talking it through is easier than email, here is my calendar: {{bookingUrl}}${signoff}`,
      },
      sms: { text: "Would a quick call help, {{firstName|there}}? Pick any time: {{bookingUrl}} ({{senderName}})" },
    },
    {
      id: "alternative",
      intent: "alternative",
      channels: ["email"],
      wait: { days: 3 },
      email: {
        subject: "Another way to do this",
        body: `${hi}\n\nIf a call doesn't fit, I can send a short recorded walkthrough, or call you at a time you name. Just reply with what suits you.${signoff}`,
      },
      sms: { text: "If a call doesn't fit, I can send a short walkthrough or ring at a time you name. Just reply. {{senderName}}" },
      branches: [{ if: { signal: "engaged", not: true, since: "enrolment" }, then: { do: "enrol", sequence: "nurture" } }],
    },
  ],
};

const nurture: SequenceInput = {
  id: "nurture",
  name: "Monthly nurture",
  purpose: "marketing",
  description: "One useful email a month for leads who are not ready yet.",
  steps: ["tips", "story", "update", "question", "guide", "checkin"].map((id, i) => ({
    id,
    intent: "nurture" as const,
    channels: ["email" as const],
    wait: { days: 30 },
    email: {
      subject: ["A tip we keep sharing", "A customer story", "What's new at {{senderCompany}}", "A quick question", "Our most-read guide", "Still on your radar?"][i]!,
      body: `${hi}\n\n${[
        "One thing that saves our customers hours every month: {{siteUrl}}",
        "How one customer went from first call to results in a month: {{siteUrl}}",
        "Here is what changed this month and why it matters to you: {{siteUrl}}",
        "What is the one thing holding you back right now? A one-line reply is plenty.",
        "The guide our customers bookmark: {{siteUrl}}",
        "Whenever you're ready, my calendar is here: {{bookingUrl}}",
      ][i]!}${signoff}`,
    },
  })),
};

/**
 * The intent-stage cadences. Routing (schemas/routing.ts) moves a lead into them; each
 * keeps the playbook's touch days, channels and content.
 */
const hot: SequenceInput = {
  id: "hot",
  name: "Hot lead",
  description: "Intent stage hot: day 0 email and text, 2 a case study, 5 a site return (only after one), 8 a booking ask with the ROI numbers, 14 a rep call, 21 a breakup.",
  steps: [
    {
      id: "acknowledge",
      intent: "acknowledge",
      channels: ["email", "sms"],
      instant: true,
      sms: { text: "Hi {{firstName|there}}, {{senderName}} here. When is a good time for a quick call? {{bookingUrl}}" },
      email: {
        subject: "A quick call, {{firstName|there}}?",
        body: `${hi}\n\nThanks for your interest in {{senderCompany}}. The fastest way forward is a short call: {{bookingUrl}}${signoff}`,
      },
    },
    {
      id: "case-study",
      intent: "proof",
      knowledge: "case_study",
      channels: ["email"],
      wait: { days: 2 },
      email: { subject: "How a team like yours did it", body: `${hi}\n\nA customer in a similar spot, and what changed for them, in two minutes: {{siteUrl}}${signoff}` },
      sms: { text: "A customer in a similar spot, in two minutes: {{siteUrl}} ({{senderName}})" },
    },
    {
      id: "site-return",
      intent: "site_return",
      channels: ["email"],
      wait: { days: 3 },
      email: { subject: "Anything I can answer?", body: `${hi}\n\nI saw you were back on our site. Anything I can answer before you decide?${signoff}` },
      branches: [{ if: { signal: "visited", not: true, since: "previous_step" }, then: { do: "skip" } }],
    },
    {
      id: "booking",
      intent: "booking_ask",
      knowledge: "roi",
      channels: ["email", "sms"],
      wait: { days: 3 },
      atPeakHour: true,
      email: {
        subject: "The numbers for {{company|your team}}",
        body: `${hi}\n\nOur ROI calculator shows what {{company|your team}} would save, in a minute: {{siteUrl}}\n\nHappy to go through it together; pick a time that suits you: {{bookingUrl}}${signoff}`,
      },
      sms: { text: "Want to go through the numbers for {{company|your team}}? Pick a time: {{bookingUrl}} ({{senderName}})" },
    },
    {
      id: "rep-call",
      intent: "rep_task",
      channels: ["task"],
      wait: { days: 6 },
      task: { note: "Call {{name|this lead}} ({{company|no company given}}): hot lead, two weeks without a booking." },
    },
    {
      id: "breakup",
      intent: "breakup",
      channels: ["email"],
      wait: { days: 7 },
      email: {
        subject: "Should I close your file?",
        body: `${hi}\n\nI haven't heard back, so I'll assume the timing isn't right. If that changes, reply and I'll pick it up at once.${signoff}`,
      },
    },
  ],
};

const warm: SequenceInput = {
  id: "warm",
  name: "Warm lead",
  description: "Intent stage warm: day 0 something useful, 3 an insight, 10 a case study, 20 a soft invitation, 30 closing the loop.",
  steps: [
    {
      id: "useful",
      intent: "value",
      channels: ["email"],
      email: {
        subject: "Something useful, {{firstName|there}}",
        body: `${hi}\n\nSince you've been looking at {{senderCompany}}, here is where most people start: {{siteUrl}}${signoff}`,
      },
    },
    {
      id: "insight",
      intent: "insight",
      channels: ["email"],
      wait: { days: 3 },
      email: { subject: "A quick idea for {{company|you}}", body: `${hi}\n\nOne idea that tends to pay off early: {{siteUrl}}${signoff}` },
    },
    {
      id: "case-study",
      intent: "proof",
      knowledge: "case_study",
      channels: ["email"],
      wait: { days: 7 },
      email: { subject: "A story that might sound familiar", body: `${hi}\n\nHow a customer like you got started, and what it changed: {{siteUrl}}${signoff}` },
    },
    {
      id: "soft-invite",
      intent: "event",
      channels: ["email"],
      wait: { days: 10 },
      atPeakHour: true,
      email: {
        subject: "No pressure: see it live?",
        body: `${hi}\n\nIf it would help to see it rather than read about it, I'm happy to show you around for 15 minutes. No pitch, just questions answered: {{bookingUrl}}${signoff}`,
      },
    },
    {
      id: "close-loop",
      intent: "breakup",
      channels: ["email"],
      wait: { days: 10 },
      email: { subject: "Closing the loop", body: `${hi}\n\nI'll stop here. If the timing changes, just reply.${signoff}` },
    },
  ],
};

const coldReactivation: SequenceInput = {
  id: "cold-reactivation",
  name: "Cold reactivation",
  purpose: "marketing",
  description: "Starts when a lead silent for 60+ days returns to the site: day 0 welcome back, 3 what's new, 10 how we compare, 20 a breakup.",
  steps: [
    {
      id: "welcome-back",
      intent: "site_return",
      channels: ["email"],
      email: {
        subject: "Good to see you again, {{firstName|there}}",
        body: `${hi}\n\nIt's been a while. If you're looking at this again, I'm happy to help: {{bookingUrl}}${signoff}`,
      },
    },
    {
      id: "whats-new",
      intent: "update",
      channels: ["email"],
      wait: { days: 3 },
      email: { subject: "What's changed since we last spoke", body: `${hi}\n\nA lot has changed since we last spoke. The short version: {{siteUrl}}${signoff}` },
    },
    {
      id: "comparison",
      intent: "value",
      knowledge: "comparison",
      channels: ["email"],
      wait: { days: 7 },
      atPeakHour: true,
      email: {
        subject: "If you're comparing options",
        body: `${hi}\n\nIf you've been weighing us against other options, here is honestly how we differ: {{siteUrl}}\n\nHappy to walk you through it: {{bookingUrl}}${signoff}`,
      },
    },
    {
      id: "breakup",
      intent: "breakup",
      channels: ["email"],
      wait: { days: 10 },
      email: { subject: "Last note from me", body: `${hi}\n\nI won't keep writing. The door's open whenever you need us.${signoff}` },
    },
  ],
};

const postDemo: SequenceInput = {
  id: "post-demo",
  name: "Post-demo",
  description: "After a demo with no next step: day 1 recap, 4 the ROI numbers, 7 how we compare, 12 a rep call, 18 the decision.",
  steps: [
    {
      id: "recap",
      intent: "value",
      channels: ["email"],
      wait: { days: 1 },
      email: { subject: "Recap of our call", body: `${hi}\n\nThanks for your time. The recap and next steps are here: {{siteUrl}}${signoff}` },
    },
    {
      id: "roi",
      intent: "proof",
      knowledge: "roi",
      channels: ["email"],
      wait: { days: 3 },
      email: { subject: "The numbers for {{company|your team}}", body: `${hi}\n\nOur ROI calculator puts numbers on what we discussed: {{siteUrl}}${signoff}` },
    },
    {
      id: "comparison",
      intent: "objection",
      knowledge: "comparison",
      channels: ["email"],
      wait: { days: 3 },
      email: {
        subject: "How we compare",
        body: `${hi}\n\nAfter a demo most teams compare us with what they use today. Here is honestly how we differ, and what switching takes (we handle the setup): {{siteUrl}}${signoff}`,
      },
    },
    {
      id: "rep-call",
      intent: "rep_task",
      channels: ["task"],
      wait: { days: 5 },
      task: { note: "Call {{name|this lead}} at {{company|their company}}: twelve days since the demo." },
    },
    {
      id: "decision",
      intent: "booking_ask",
      channels: ["email"],
      wait: { days: 6 },
      email: { subject: "Ready for the next step?", body: `${hi}\n\nIf you're ready to move forward, pick a time to set things up: {{bookingUrl}}${signoff}` },
    },
  ],
};

/** Monthly for a year, rotating an insight, an update and an invitation; a rep calls every quarter. */
const enterprise: SequenceInput = {
  id: "enterprise",
  name: "Long-cycle enterprise",
  description: "Day 0 a personal answer; then monthly for a year, rotating an insight, a product update and an event invitation, with a rep call every quarter.",
  steps: [
    {
      id: "acknowledge",
      intent: "acknowledge",
      channels: ["email"],
      instant: true,
      email: {
        subject: "Thanks, {{firstName|there}}",
        body: `${hi}\n\nThanks for reaching out to {{senderCompany}}. I'll come back to you personally; if it's easier to talk, pick a time here: {{bookingUrl}}${signoff}`,
      },
    },
    ...Array.from({ length: 12 }, (_, i) => {
      const intent = (["insight", "update", "event"] as const)[i % 3]!;
      const subject = { insight: "An insight for {{company|your team}}", update: "What's new at {{senderCompany}}", event: "An invitation" }[intent];
      const line = {
        insight: "Something we're seeing across companies like yours: {{siteUrl}}",
        update: "A short update on what we shipped and why it matters to you: {{siteUrl}}",
        event: "We're hosting a session you may find useful. Details and seats: {{siteUrl}}",
      }[intent];
      const month = { id: `month-${i + 1}`, intent, channels: ["email" as const], wait: { days: 30 }, email: { subject, body: `${hi}\n\n${line}${signoff}` } };
      const quarter = (i + 1) / 3;
      if (!Number.isInteger(quarter)) return [month];
      const call = {
        id: `rep-call-q${quarter}`,
        intent: "rep_task" as const,
        channels: ["task" as const],
        wait: { days: 0 },
        task: { note: `Quarterly call (Q${quarter}) with {{name|this lead}} at {{company|their company}}: long enterprise cycle.` },
      };
      return [month, call];
    }).flat(),
  ],
};

/** Built-in presets, validated once at load: a broken preset fails every test, not a lead. */
export const PRESETS: ReadonlyMap<string, Sequence> = new Map(
  [newInquiry, nurture, hot, warm, coldReactivation, postDemo, enterprise].map((input) => {
    const sequence = SequenceSchema.parse(input);
    return [sequence.id, sequence] as const;
  }),
);

/** The sequence new forms run unless told otherwise. */
export const DEFAULT_SEQUENCE_ID = "new-inquiry";
