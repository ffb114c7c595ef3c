import { z } from "zod";

/** The owner's knowledge documents (case studies, pricing, FAQs, objection answers) and the passages drafting retrieves. */

/** `comparison`: how the owner differs from an alternative; `roi`: what the lead gets back for the price. */
export const KnowledgeKindSchema = z.enum(["case_study", "pricing", "faq", "objection", "comparison", "roi", "other"]);
export type KnowledgeKind = z.infer<typeof KnowledgeKindSchema>;

export const KnowledgeDocumentSchema = z.object({
  title: z.string().trim().min(1).max(200),
  kind: KnowledgeKindSchema.default("other"),
  text: z.string().trim().min(1).max(200_000),
});
export type KnowledgeDocument = z.infer<typeof KnowledgeDocumentSchema>;

/** A document's id, in URLs and in the API's `PUT /api/knowledge/:id`. */
export const KnowledgeDocumentIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "is lower-case letters, digits and dashes (at most 64)");

/** A search of the knowledge base, as drafting would retrieve passages for this text. */
export const KnowledgeSearchSchema = z.object({
  q: z.string().min(1).max(1000),
  kind: KnowledgeKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});

export interface Passage {
  documentId: string;
  kind: KnowledgeKind;
  title: string;
  text: string;
}
