/**
 * Progressive enhancement: while the owner edits, post the draft (as the form would, CSRF
 * field included) to the preview route and swap in the preview it answers. Nothing is saved.
 */
export const EDITOR_SCRIPT = `
const form = document.getElementById("sequence-editor");
if (form) {
  let timer;
  let latest = 0;
  const refresh = async () => {
    const asked = ++latest;
    const body = new FormData(form);
    body.set("action", "preview");
    const response = await fetch(form.dataset.previewUrl, { method: "POST", body, headers: { accept: "text/html" }, credentials: "same-origin" });
    if (asked !== latest || !(response.headers.get("content-type") || "").startsWith("text/html")) return;
    const html = await response.text();
    const current = document.getElementById("preview");
    if (current) current.outerHTML = html;
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh().catch(() => {}), 400);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}
`;
