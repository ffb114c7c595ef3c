import type { FieldIssue } from "../../services/app-error";
import type { KnowledgeKind, Passage } from "../../schemas/knowledge";
import { Choice, Csrf, ListTable, when } from "./layout";

/**
 * The knowledge base pages: the documents drafts draw on, a form to paste or upload one,
 * a search that shows the passages drafting would retrieve, and a document's passages.
 */

export const KIND_LABELS: Record<KnowledgeKind, string> = {
  case_study: "Case study",
  pricing: "Pricing",
  faq: "FAQ",
  objection: "Answer to an objection",
  comparison: "Comparison with an alternative",
  roi: "Return on investment",
  other: "Other",
};
const KIND_OPTIONS = Object.entries(KIND_LABELS) as [KnowledgeKind, string][];

export interface KnowledgeListing {
  id: string;
  title: string;
  kind: string;
  chunks: number;
  updatedAt: number;
}

/** What the owner typed into the add form, shown again with the reasons when it is refused. */
export interface DocumentDraft {
  id?: string;
  title?: string;
  kind?: string;
  format?: string;
  text?: string;
}

export interface KnowledgeSearch {
  q: string;
  kind?: string | undefined;
  passages?: Passage[];
  problems?: FieldIssue[];
}

const kindLabel = (kind: string) => KIND_LABELS[kind as KnowledgeKind] ?? kind;

/** The reasons a field was refused, beside it. */
function Problems(props: { issues: FieldIssue[] | undefined; field: string }) {
  const mine = (props.issues ?? []).filter((i) => i.field === props.field || (props.field === "text" && i.field === "file"));
  if (mine.length === 0) return null;
  return (
    <span class="warn" id={`problem-${props.field}`}>
      {mine.map((i) => i.message).join("; ")}
    </span>
  );
}

export function KnowledgeIndex(props: { documents: KnowledgeListing[]; csrf: string; draft?: DocumentDraft; problems?: FieldIssue[]; search?: KnowledgeSearch }) {
  const draft = props.draft ?? {};
  const search = props.search;
  return (
    <>
      <p class="muted">
        Case studies, pricing, FAQs and answers to objections. Drafts quote the passages that best match a lead and a step; a step that names a kind of knowledge leads with its
        best passage of that kind.
      </p>
      <h2>Try a search</h2>
      <form method="get" action="/dashboard/knowledge" class="filters">
        <label>
          Words a lead might write
          <input type="search" name="q" value={search?.q ?? ""} maxlength={1000} required />
        </label>
        <label>
          Kind
          <Choice name="kind" options={KIND_OPTIONS} selected={search?.kind} blank="any kind" />
        </label>
        <button type="submit">Search</button>
      </form>
      {search?.problems?.length ? <p class="flash error">{search.problems.map((i) => `${i.field}: ${i.message}`).join("; ")}</p> : null}
      {search?.passages && (
        <section aria-label="Search results" data-testid="results">
          {search.passages.length === 0 ? (
            <p class="muted">No passage shares a word with that.</p>
          ) : (
            search.passages.map((p) => (
              <article class="card" data-document={p.documentId}>
                <p class="muted">
                  <a href={`/dashboard/knowledge/${p.documentId}`}>{p.title}</a> · {kindLabel(p.kind)}
                </p>
                <p style="white-space:pre-line">{p.text}</p>
              </article>
            ))
          )}
        </section>
      )}

      <h2>Documents</h2>
      <ListTable
        columns={["Title", "Kind", { label: "Passages", figures: true }, "Updated"]}
        empty="No documents yet: add one below."
        rows={props.documents.map((d) => (
          <tr data-document={d.id}>
            <td>
              <a href={`/dashboard/knowledge/${d.id}`}>{d.title}</a>
            </td>
            <td>{kindLabel(d.kind)}</td>
            <td class="n">{d.chunks}</td>
            <td>{when(d.updatedAt)}</td>
          </tr>
        ))}
      />

      <h2 id="add">Add a document</h2>
      {props.problems?.length ? (
        <p class="flash error" role="alert">
          The document was not saved: {props.problems.map((i) => i.message).join("; ")}
        </p>
      ) : null}
      <DocumentForm csrf={props.csrf} draft={draft} problems={props.problems} />
    </>
  );
}

/** Add a document, or (with its id) replace one. */
function DocumentForm(props: { csrf: string; draft: DocumentDraft; problems: FieldIssue[] | undefined; replacing?: string }) {
  const { draft, problems } = props;
  return (
    <form method="post" action="/dashboard/knowledge" enctype="multipart/form-data" id="document-form">
      <Csrf token={props.csrf} />
      {props.replacing !== undefined && <input type="hidden" name="id" value={props.replacing} />}
      <div class="filters">
        <label>
          Title
          <input name="title" value={draft.title ?? ""} maxlength={200} placeholder="from the file name when blank" />
          <Problems issues={problems} field="title" />
        </label>
        <label>
          Kind
          <Choice name="kind" options={KIND_OPTIONS} selected={draft.kind ?? "other"} />
          <Problems issues={problems} field="kind" />
        </label>
        <label>
          Written as
          <Choice
            name="format"
            options={[
              ["markdown", "Markdown (marks and links become plain words)"],
              ["text", "Plain text (kept exactly)"],
            ]}
            selected={draft.format ?? "markdown"}
          />
        </label>
        {props.replacing === undefined && (
          <label>
            Id (optional)
            <input name="id" value={draft.id ?? ""} maxlength={64} pattern="[a-z0-9][a-z0-9\-]{0,63}" placeholder="from the title" />
            <Problems issues={problems} field="id" />
          </label>
        )}
      </div>
      <p>
        <label>
          Paste the text
          <br />
          <textarea name="text" rows={10} style="width:100%" maxlength={200_000}>
            {draft.text ?? ""}
          </textarea>
          <Problems issues={problems} field="text" />
        </label>
      </p>
      <p>
        <label>
          or upload a text or Markdown file (at most 200 KB)
          <br />
          <input type="file" name="file" accept=".txt,.md,.markdown,text/plain,text/markdown" />
        </label>
      </p>
      <p>
        <button type="submit">{props.replacing === undefined ? "Add the document" : "Replace its text"}</button>
      </p>
    </form>
  );
}

export function KnowledgeDocumentPage(props: { document: KnowledgeListing; passages: string[]; csrf: string }) {
  const { document } = props;
  return (
    <>
      <p class="muted">
        {kindLabel(document.kind)} · {props.passages.length} passages · updated {when(document.updatedAt)} · id <code>{document.id}</code>
      </p>
      <h2>Passages</h2>
      <p class="muted">The pieces drafting retrieves: paragraphs packed up to 800 characters, long ones cut at sentence ends.</p>
      <ol data-testid="passages">
        {props.passages.map((text) => (
          <li>
            <p style="white-space:pre-line">{text}</p>
          </li>
        ))}
      </ol>
      <h2>Replace it</h2>
      <DocumentForm csrf={props.csrf} draft={{ title: document.title, kind: document.kind }} problems={undefined} replacing={document.id} />
      <h2>Delete it</h2>
      <form method="post" action={`/dashboard/knowledge/${document.id}/delete`} class="actions">
        <Csrf token={props.csrf} />
        <label>
          <input type="checkbox" name="confirm" value="yes" required /> Drafts stop quoting this document
        </label>
        <button type="submit" class="danger">
          Delete
        </button>
      </form>
    </>
  );
}
