import type { UnknownSiteOverflowRow, UnknownSitePostRow } from "../../schemas/d1";
import { Csrf, ListTable, when } from "./layout";

/**
 * Posts from a site no form allows yet. Nothing was sent to these people: approving one enters
 * it as the form post it was (its sequence starts); discarding deletes it. Registering the site
 * lets its next posts straight in.
 */
export function UnknownSiteQueue(props: { posts: UnknownSitePostRow[]; total: number; overflow: UnknownSiteOverflowRow[]; perOrigin: number; capacity: number; csrf: string }) {
  const origins = [...new Set(props.posts.map((p) => p.origin))];
  return (
    <>
      <p class="muted">
        {`Posts to your forms from a site that is not registered (or not in the form's list). The visitor saw your thank-you page; nobody has been contacted. At most ${props.perOrigin} wait per site and ${props.capacity} in all; past that a post is not kept, and is counted below.`}
      </p>
      {props.overflow.length > 0 && (
        <p class="flash error" data-testid="overflow">
          {props.overflow.map((o) => `${o.dropped} post${o.dropped === 1 ? "" : "s"} from ${o.origin} turned away (queue full, last ${when(o.lastAt)})`).join("; ")}
        </p>
      )}
      {props.total === 0 && <p class="muted">Nothing waits: every post came from a site your forms accept.</p>}
      {origins.map((origin) => {
        const posts = props.posts.filter((p) => p.origin === origin);
        return (
          <section class="card" data-origin={origin} style="margin-bottom:1rem">
            <h2>{`From ${origin}`}</h2>
            <div class="actions">
              <form method="post" action="/dashboard/sites" class="inline">
                <Csrf token={props.csrf} />
                <input type="hidden" name="origin" value={origin} />
                <button type="submit" class="secondary">
                  Register this site
                </button>
              </form>
              <form method="post" action="/dashboard/unknown-sites/discard-site" class="inline">
                <Csrf token={props.csrf} />
                <input type="hidden" name="origin" value={origin} />
                <button type="submit" class="danger">
                  {`Discard all ${posts.length} from this site`}
                </button>
              </form>
            </div>
            <ListTable
              columns={["Received", "Form", "Who", "Message", ""]}
              rows={posts.map((post) => {
                const { profile } = post.submission;
                return (
                  <tr data-post={post.id}>
                    <td>{when(post.receivedAt)}</td>
                    <td>{post.formId}</td>
                    <td>
                      {[profile.name, profile.email, profile.phone, profile.company].filter(Boolean).join(" · ")}
                      {post.hold && <div class="muted">{`Would wait for you once approved: ${post.hold}`}</div>}
                    </td>
                    <td>{(post.submission.message ?? "").slice(0, 200)}</td>
                    <td>
                      <form method="post" action={`/dashboard/unknown-sites/${post.id}/approve`} class="inline">
                        <Csrf token={props.csrf} />
                        <button type="submit">Approve</button>
                      </form>{" "}
                      <form method="post" action={`/dashboard/unknown-sites/${post.id}/discard`} class="inline">
                        <Csrf token={props.csrf} />
                        <button type="submit" class="danger">
                          Discard
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            />
          </section>
        );
      })}
    </>
  );
}
