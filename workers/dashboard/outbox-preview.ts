/**
 * An outbox email as the owner previews it: nothing in it may reach the network. Its open
 * pixel would count the owner's look as the lead's open, and a click on a tracked link as
 * the lead's click, and both feed scores, branches and the "sooner" rule. So every image
 * that is not inline data goes, every link loses its address (the text still shows where
 * it led), and the document's own policy allows `data:` images only, should anything slip.
 */

/** The preview's policy: no fetch of any kind; framed only by the dashboard; sandboxed even if opened on its own. */
export const PREVIEW_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

/** Elements that fetch or run something and carry nothing the owner needs to read. */
const FETCHING = "script, link, iframe, frame, object, embed, video, audio, source, track, picture, base, meta[http-equiv], form";
const FETCHING_ATTRIBUTES = ["srcset", "background", "poster", "ping", "action", "formaction"];

export async function inertPreview(html: string): Promise<string> {
  const rewriter = new HTMLRewriter()
    .on(FETCHING, { element: (e) => void e.remove() })
    .on("img", {
      element(e) {
        if (!/^\s*data:/i.test(e.getAttribute("src") ?? "")) e.remove();
      },
    })
    .on("a, area", {
      element(e) {
        e.removeAttribute("href");
        e.removeAttribute("target");
      },
    })
    .on("*", {
      element(e) {
        for (const name of FETCHING_ATTRIBUTES) e.removeAttribute(name);
      },
    });
  return rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).text();
}
