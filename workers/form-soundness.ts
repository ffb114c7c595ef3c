import { lawfulBasisProblem, type FormConfig } from "../schemas/form";
import type { FieldIssue } from "../services/app-error";
import { sequenceExists } from "../services/d1/sequences";

/**
 * What the schema alone cannot tell about a form: it may only point at a sequence that
 * exists (a preset, or one the owner put), and claim consent only where it asks for it.
 * The API answers these with a 422 code each; the dashboard shows them next to their field.
 */
export async function formProblems(db: D1Database, form: FormConfig): Promise<(FieldIssue & { code: string })[]> {
  const problems: (FieldIssue & { code: string })[] = [];
  const basis = lawfulBasisProblem(form);
  if (basis) problems.push({ code: "unfounded_lawful_basis", field: "lawfulBasis", message: basis });
  const id = form.sequenceId;
  if (id !== null && !(await sequenceExists(db, id)))
    problems.push({ code: "unknown_sequence", field: "sequenceId", message: `There is no sequence "${id}"; GET /api/sequences lists them.` });
  return problems;
}
