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

export interface Passage {
  documentId: string;
  kind: KnowledgeKind;
  title: string;
  text: string;
}
