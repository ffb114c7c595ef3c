import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SequenceInput, SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { asOwner, OWNER_TOKEN, unique } from "./helpers";

/**
 * The sequence editor through its routes: a form read and posted back the way a browser
 * does, saved as a new version that the owner API returns, previewed without saving,
 * refused in place when invalid, refused without the CSRF token, and a preset duplicated.
 */

const BASE = "http://localhost:8787";
const get = (path: string, cookie: string) => exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", headers: { accept: "text/html", cookie } }));

/** Posts fields as a browser posts a form: every value of a repeated name, in order. */
const post = (path: string, fields: Fields, cookie: string) => {
  const body = new URLSearchParams();
  for (const [name, values] of fields) for (const value of values) body.append(name, value);
  return exports.default.fetch(
    new Request(`${BASE}${path}`, { method: "POST", redirect: "manual", headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", cookie }, body }),
  );
};

async function login(): Promise<string> {
  const response = await exports.default.fetch(
    new Request(`${BASE}/dashboard/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("ip") },
      body: `token=${OWNER_TOKEN}`,
    }),
  );
  expect(response.status).toBe(303);
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

type Fields = Map<string, string[]>;

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** What the page's form would post untouched: text inputs, ticked boxes, chosen options and textareas (not the buttons). */
async function formFields(html: string): Promise<Fields> {
  const fields: Fields = new Map();
  const add = (name: string, value: string) => fields.set(name, [...(fields.get(name) ?? []), value]);
  let select: { name: string; first?: string; chosen?: string } | undefined;
  const selects: NonNullable<typeof select>[] = [];
  let textarea: { name: string; text: string } | undefined;
  const textareas: NonNullable<typeof textarea>[] = [];
  let inForm = false;
  await new HTMLRewriter()
    .on("form#sequence-editor", {
      element(form) {
        inForm = true;
        form.onEndTag(() => {
          inForm = false;
        });
      },
    })
    .on("form#sequence-editor input", {
      element(input) {
        const name = input.getAttribute("name");
        const type = input.getAttribute("type") ?? "text";
        if (!name || (type === "checkbox" && !input.hasAttribute("checked"))) return;
        add(name, decode(input.getAttribute("value") ?? (type === "checkbox" ? "on" : "")));
      },
    })
    .on("form#sequence-editor select", {
      element(element) {
        select = { name: element.getAttribute("name")! };
        selects.push(select);
      },
    })
    .on("form#sequence-editor option", {
      element(option) {
        const value = decode(option.getAttribute("value") ?? "");
        if (select && select.first === undefined) select.first = value;
        if (select && option.hasAttribute("selected")) select.chosen = value;
      },
    })
    .on("form#sequence-editor textarea", {
      element(element) {
        textarea = { name: element.getAttribute("name")!, text: "" };
        textareas.push(textarea);
      },
      text(chunk) {
        if (textarea && inForm) textarea.text += chunk.text;
      },
    })
    .transform(new Response(html))
    .text();
  for (const s of selects) add(s.name, s.chosen ?? s.first ?? "");
  for (const t of textareas) add(t.name, decode(t.text));
  return fields;
}

/** The names of inputs a screen reader could not name: every input, select and textarea but the hidden ones must sit in a label. */
async function unlabelled(html: string): Promise<string[]> {
  let depth = 0;
  const found: string[] = [];
  await new HTMLRewriter()
    .on("label", {
      element(label) {
        depth += 1;
        label.onEndTag(() => {
          depth -= 1;
        });
      },
    })
    .on("input, select, textarea", {
      element(input) {
        if (depth === 0 && input.getAttribute("type") !== "hidden") found.push(input.getAttribute("name") ?? input.tagName);
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

const withFields = (fields: Fields, changes: Record<string, string | string[]>): Fields => {
  const next = new Map(fields);
  for (const [name, value] of Object.entries(changes)) next.set(name, Array.isArray(value) ? value : [value]);
  return next;
};

/** A sequence with something in every part the editor shows: variants, branches, SMS, a task, rules and a window. */
const rich = (id: string): SequenceInput => ({
  id,
  name: "Spring offer",
  description: "For the spring campaign.",
  window: { days: [1, 2, 3, 4, 5, 6], start: "08:30", end: "18:00" },
  rules: { openedSooner: { enabled: false, keepFraction: 0.25, minHours: 6 }, peakHour: { enabled: true, minSignals: 5 } },
  drafting: { mode: "off", unreviewed: "hold" },
  steps: [
    {
      id: "hello",
      intent: "acknowledge",
      channels: ["email", "sms"],
      instant: true,
      email: { subject: "Thanks, {{firstName|there}}", body: "Hi {{firstName|there}},\n\nBook a time: {{bookingUrl}}\n\n{{senderName}}" },
      sms: { text: "Hi {{firstName|there}}, got it!" },
    },
    {
      id: "proof",
      intent: "proof",
      channels: ["email"],
      wait: { days: 2, hours: 3 },
      knowledge: "case_study",
      atPeakHour: true,
      email: { subject: "How a customer did it", body: "A story & its numbers <in short>." },
      alternative: { subject: "Still interested?", body: "The other angle." },
      bySource: { "pricing-page": { subject: "Pricing, explained", body: "How customers choose a plan." } },
      branches: [{ if: { signal: "opened", not: true, step: "hello" }, then: { do: "resend", step: "hello", subject: "In case you missed it" } }],
    },
    {
      id: "call",
      intent: "rep_task",
      channels: ["task"],
      wait: { days: 3 },
      task: { note: "Call {{firstName|them}}" },
      branches: [{ if: { signal: "replied" }, then: { do: "complete" } }],
    },
  ],
});

async function putRich(): Promise<SequenceVersion> {
  const id = unique("spring");
  const response = await asOwner(`/api/sequences/${id}`, { method: "PUT", body: JSON.stringify(rich(id)) });
  expect(response.status).toBe(201);
  return (await response.json()) as SequenceVersion;
}

const current = async (id: string) => (await (await asOwner(`/api/sequences/${id}`)).json()) as SequenceVersion;

describe("the sequence editor", () => {
  it("a wait and a step's copy edited in the form are saved as a new version the API returns, everything else as it was", async () => {
    const cookie = await login();
    const stored = await putRich();
    const page = await get(`/dashboard/sequences/${stored.id}/edit`, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Editing version 1");
    expect(await unlabelled(html)).toEqual([]);
    const fields = await formFields(html);
    const edited = withFields(fields, { action: "save", "steps.1.wait.days": "4", "steps.1.email.subject": "What a customer like you did" });
    const saved = await post(`/dashboard/sequences/${stored.id}/edit`, edited, cookie);
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/dashboard/sequences/${stored.id}?done=saved`);
    const after = await current(stored.id);
    expect(after.version).toBe(2);
    const expected = structuredClone(stored.sequence);
    expected.steps[1]!.wait.days = 4;
    expected.steps[1]!.email!.subject = "What a customer like you did";
    expect(after.sequence).toEqual(expected);
    // Version 1 is kept for the leads enrolled with it.
    expect(((await (await asOwner(`/api/sequences/${stored.id}?version=1`)).json()) as SequenceVersion).sequence).toEqual(stored.sequence);
    expect(await (await get(`/dashboard/sequences/${stored.id}?done=saved`, cookie)).text()).toContain("Saved as a new version");
  });

  it("a save over a version someone else saved meanwhile is refused once, with the draft kept; saving again is then a choice", async () => {
    const cookie = await login();
    const stored = await putRich();
    // Two owners open version 1.
    const mine = await formFields(await (await get(`/dashboard/sequences/${stored.id}/edit`, cookie)).text());
    const theirs = await formFields(await (await get(`/dashboard/sequences/${stored.id}/edit`, cookie)).text());
    expect((await post(`/dashboard/sequences/${stored.id}/edit`, withFields(theirs, { action: "save", "steps.1.wait.days": "5" }), cookie)).status).toBe(303);

    const refused = await post(`/dashboard/sequences/${stored.id}/edit`, withFields(mine, { action: "save", "steps.1.wait.days": "9" }), cookie);
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("version 2 of this sequence was saved while you were editing version 1");
    expect((await current(stored.id)).sequence.steps[1]!.wait.days).toBe(5);
    // A preview is not a save: it is never refused for this.
    expect((await post(`/dashboard/sequences/${stored.id}/edit`, withFields(mine, { action: "preview", "steps.1.wait.days": "9" }), cookie)).status).toBe(200);

    // The refusal page carries the draft and the newest version: saving from it is deliberate, and goes through.
    const again = await formFields(page);
    expect(again.get("steps.1.wait.days")).toEqual(["9"]);
    expect((await post(`/dashboard/sequences/${stored.id}/edit`, withFields(again, { action: "save" }), cookie)).status).toBe(303);
    const after = await current(stored.id);
    expect([after.version, after.sequence.steps[1]!.wait.days]).toEqual([3, 9]);
  });

  it("previews an unsaved draft, on the page and as the script's fragment, without saving it", async () => {
    const cookie = await login();
    const stored = await putRich();
    const fields = await formFields(await (await get(`/dashboard/sequences/${stored.id}/edit`, cookie)).text());
    const draft = withFields(fields, { "steps.1.wait.days": "3", "steps.1.email.subject": "A draft subject" });

    const page = await post(`/dashboard/sequences/${stored.id}/edit`, withFields(draft, { action: "preview" }), cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    const preview = html.slice(html.indexOf('<section id="preview"'));
    expect(preview).toContain("Of your unsaved draft");
    // A lead who opens gets the proof 3 days after the acknowledgement now, not 2, with the new subject.
    expect(/data-behaviour="Opens but never clicks"[\s\S]*?<\/details>/.exec(preview)?.[0]).toContain("day 3 · proof · email · A draft subject");
    // The draft stays in the form.
    expect((await formFields(html)).get("steps.1.email.subject")).toEqual(["A draft subject"]);

    const fragment = await post(`/dashboard/sequences/${stored.id}/edit/preview`, draft, cookie);
    expect(fragment.status).toBe(200);
    const text = await fragment.text();
    expect(text.startsWith('<section id="preview"')).toBe(true);
    expect(text).toContain("A draft subject");

    expect(await current(stored.id)).toEqual(stored);
  });

  it("offers WhatsApp: a step's text and approved template (Content SID, numbered variables) are edited and saved, and a bad Content SID is refused in place", async () => {
    const cookie = await login();
    const id = unique("whatsapp");
    const sid = "HXb5b62575e6e4ff6129ad7c8efe1f983e";
    const input: SequenceInput = {
      id,
      name: "WhatsApp follow-up",
      steps: [
        {
          id: "hello",
          intent: "acknowledge",
          channels: ["whatsapp"],
          whatsapp: { text: "Hi {{firstName}}, thanks!" },
          whatsappTemplate: { contentSid: sid, variables: { "1": "{{firstName|there}}", "2": "{{senderCompany}}" } },
        },
      ],
    };
    expect((await asOwner(`/api/sequences/${id}`, { method: "PUT", body: JSON.stringify(input) })).status).toBe(201);
    const html = await (await get(`/dashboard/sequences/${id}/edit`, cookie)).text();
    expect(html).toMatch(/name="steps\.0\.channels" value="whatsapp"[^>]*checked/);
    expect(await unlabelled(html)).toEqual([]);
    const fields = await formFields(html);
    expect(fields.get("steps.0.whatsappTemplate.contentSid")).toEqual([sid]);
    const edited = withFields(fields, { action: "save", "steps.0.whatsappTemplate.variables": "1 = {{firstName|friend}}\n2 = {{senderCompany}}" });
    expect((await post(`/dashboard/sequences/${id}/edit`, edited, cookie)).status).toBe(303);
    const [step] = (await current(id)).sequence.steps;
    expect(step).toMatchObject({ channels: ["whatsapp"], whatsapp: { text: "Hi {{firstName}}, thanks!" } });
    expect(step!.whatsappTemplate).toEqual({ contentSid: sid, variables: { "1": "{{firstName|friend}}", "2": "{{senderCompany}}" } });

    const broken = await post(`/dashboard/sequences/${id}/edit`, withFields(fields, { action: "save", "steps.0.whatsappTemplate.contentSid": "HX123" }), cookie);
    expect(broken.status).toBe(422);
    expect(decode(await broken.text())).toMatch(/data-error-for="steps\.0\.whatsappTemplate\.contentSid">a Content SID is HX followed by 32 hex digits/);
  });

  it("shows each error under the input it is about, keeps what was typed, and saves nothing", async () => {
    const cookie = await login();
    const stored = await putRich();
    const fields = await formFields(await (await get(`/dashboard/sequences/${stored.id}/edit`, cookie)).text());
    const broken = withFields(fields, {
      action: "save",
      "steps.1.id": "Proof Step",
      "steps.0.email.body": "Hi {{fristName}}",
      "steps.1.wait.days": "400",
      "window.end": "07:00",
      "steps.0.channels": ["email", "task"],
    });
    const response = await post(`/dashboard/sequences/${stored.id}/edit`, broken, cookie);
    expect(response.status).toBe(422);
    const html = await response.text();
    const errorAt = (field: string) => {
      const message = new RegExp(`data-error-for="${field.replace(/\./g, "\\.")}">([^<]+)<`).exec(html)?.[1];
      return message === undefined ? undefined : decode(message);
    };
    expect(errorAt("steps.1.id")).toContain("lowercase");
    expect(errorAt("steps.0.email.body")).toContain('unknown merge field "fristName"');
    expect(errorAt("steps.1.wait.days")).toBeDefined();
    expect(errorAt("window")).toContain("start before it ends");
    expect(errorAt("steps.0.task")).toContain('a task step needs its "task" template');
    expect(html).toMatch(/id="f-steps\.1\.id"[^>]*aria-invalid="true"/);
    // The branch names step "hello", which is still there: nothing to say about it.
    expect(errorAt("steps.1.branches.0")).toBeUndefined();
    // The summary names each input in words and links to it.
    expect(html).toContain('<a href="#f-steps.0.email.body">Step 1 (hello) · email · body</a>');
    expect((await formFields(html)).get("steps.1.id")).toEqual(["Proof Step"]);
    expect(await current(stored.id)).toEqual(stored);
  });

  it("builds a branch from menus, and refuses one that moves leads to a sequence that does not exist, in place", async () => {
    const cookie = await login();
    const stored = await putRich();
    const path = `/dashboard/sequences/${stored.id}/edit`;
    const fields = await formFields(await (await get(path, cookie)).text());
    const added = await post(path, withFields(fields, { action: "add-branch:2" }), cookie);
    expect(added.status).toBe(200);
    const addedHtml = await added.text();
    expect(addedHtml).not.toContain('role="alert"');
    const withBranch = await formFields(addedHtml);
    expect(withBranch.has("steps.2.branches.1.then.do")).toBe(true);
    const branch = { "steps.2.branches.1.if.not": "true", "steps.2.branches.1.if.signal": "clicked", "steps.2.branches.1.if.step": "proof", "steps.2.branches.1.then.do": "enrol" };

    const unknown = await post(path, withFields(withBranch, { ...branch, action: "save", "steps.2.branches.1.then.sequence": "no-such-sequence" }), cookie);
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('data-error-for="steps.2.branches.1.then.sequence">there is no sequence &quot;no-such-sequence&quot;');
    expect((await current(stored.id)).version).toBe(1);

    const saved = await post(path, withFields(withBranch, { ...branch, action: "save", "steps.2.branches.1.then.sequence": "nurture" }), cookie);
    expect(saved.status).toBe(303);
    expect((await current(stored.id)).sequence.steps[2]!.branches[1]).toEqual({
      if: { signal: "clicked", not: true, step: "proof", since: "previous_step" },
      then: { do: "enrol", sequence: "nurture" },
    });
  });

  it("adds, moves and removes steps without saving until asked", async () => {
    const cookie = await login();
    const stored = await putRich();
    const path = `/dashboard/sequences/${stored.id}/edit`;
    let fields = await formFields(await (await get(path, cookie)).text());
    fields = await formFields(await (await post(path, withFields(fields, { action: "add-step" }), cookie)).text());
    expect(fields.get("steps.3.id")).toEqual(["step-4"]);
    fields = withFields(fields, { "steps.3.email.body": "One more thing, {{firstName|there}}." });
    fields = await formFields(await (await post(path, withFields(fields, { action: "step-up:3" }), cookie)).text());
    fields = await formFields(await (await post(path, withFields(fields, { action: "remove-step:0" }), cookie)).text());
    expect((await current(stored.id)).version).toBe(1);
    // The first step's removal leaves the proof's branch resending a step that is gone: refused where the branch is.
    const refused = await post(path, withFields(fields, { action: "save" }), cookie);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('data-error-for="steps.0.branches.0">no step &quot;hello&quot; in this sequence');
    fields = await formFields(await (await post(path, withFields(fields, { action: "remove-branch:0:0" }), cookie)).text());
    expect((await post(path, withFields(fields, { action: "save" }), cookie)).status).toBe(303);
    expect((await current(stored.id)).sequence.steps.map((s) => s.id)).toEqual(["proof", "step-4", "call"]);
  });

  it("saves a source variant added in the form under its key, and refuses one without a key where the key goes", async () => {
    const cookie = await login();
    const stored = await putRich();
    const path = `/dashboard/sequences/${stored.id}/edit`;
    const fields = await formFields(await (await post(path, withFields(await formFields(await (await get(path, cookie)).text()), { action: "add-variant:1" }), cookie)).text());
    expect(fields.get("steps.1.variants.1.key")).toEqual([""]);
    const words = { "steps.1.variants.1.subject": "Welcome, friend of a friend", "steps.1.variants.1.body": "Referrals are how most customers find us." };
    const keyless = await post(path, withFields(fields, { ...words, action: "save" }), cookie);
    expect(keyless.status).toBe(422);
    expect(await keyless.text()).toMatch(/data-error-for="steps\.1\.variants\.1\.key">/);
    expect((await post(path, withFields(fields, { ...words, "steps.1.variants.1.key": "referral", action: "save" }), cookie)).status).toBe(303);
    expect((await current(stored.id)).sequence.steps[1]!.bySource).toEqual({
      "pricing-page": { subject: "Pricing, explained", body: "How customers choose a plan." },
      referral: { subject: "Welcome, friend of a friend", body: "Referrals are how most customers find us." },
    });
    // A hand-made post naming the billionth step is a 422, not a page a billion steps long.
    const huge = await post(path, withFields(fields, { "steps.999999999.id": "x", action: "preview" }), cookie);
    expect(huge.status).toBe(422);
  });

  it("refuses a save or a preview without the session's CSRF token, and saves nothing", async () => {
    const cookie = await login();
    const stored = await putRich();
    const fields = await formFields(await (await get(`/dashboard/sequences/${stored.id}/edit`, cookie)).text());
    const changed = withFields(fields, { action: "save", "steps.1.wait.days": "9" });
    const forged = withFields(changed, { _csrf: "forged" });
    const missing = new Map(changed);
    missing.delete("_csrf");
    for (const attempt of [forged, missing]) {
      expect((await post(`/dashboard/sequences/${stored.id}/edit`, attempt, cookie)).status).toBe(403);
      expect((await post(`/dashboard/sequences/${stored.id}/edit/preview`, attempt, cookie)).status).toBe(403);
    }
    // Another session's token is not this one's.
    const other = await login();
    expect((await post(`/dashboard/sequences/${stored.id}/edit`, changed, other)).status).toBe(403);
    expect(await current(stored.id)).toEqual(stored);
  });

  it("duplicates a preset as a new sequence at version 1, leaving the preset as it ships", async () => {
    const cookie = await login();
    const page = await get("/dashboard/sequences/new-inquiry/duplicate", cookie);
    expect(page.status).toBe(200);
    const fields = await formFields(await page.text());
    expect(fields.get("id")).toEqual(["new-inquiry-copy"]);
    expect(fields.get("name")).toEqual(["New inquiry (copy)"]);

    // An id that is taken (the preset's own) is refused where it is typed.
    const taken = await post("/dashboard/sequences/new-inquiry/duplicate", withFields(fields, { action: "save", id: "warm" }), cookie);
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain('data-error-for="id">a sequence &quot;warm&quot; already exists');

    const id = unique("my-inquiry");
    const saved = await post("/dashboard/sequences/new-inquiry/duplicate", withFields(fields, { action: "save", id }), cookie);
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/dashboard/sequences/${id}?done=saved`);
    const copy = await current(id);
    expect(copy.version).toBe(1);
    expect(copy.sequence).toEqual({ ...PRESETS.get("new-inquiry")!, id, name: "New inquiry (copy)" });
    expect(await current("new-inquiry")).toEqual({ id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry") });
    expect((await get("/dashboard/sequences/nope/duplicate", cookie)).status).toBe(404);
    expect((await get("/dashboard/sequences/nope/edit", cookie)).status).toBe(404);
  });

  it("lists the merge fields the templates accept, and links the editor from the sequence list and page", async () => {
    const cookie = await login();
    const html = await (await get("/dashboard/sequences/warm/edit", cookie)).text();
    for (const field of ["firstName", "company", "senderName", "bookingUrl", "siteUrl"]) expect(html).toContain(`{{${field}}}`);
    const list = await (await get("/dashboard/sequences", cookie)).text();
    expect(list).toContain('href="/dashboard/sequences/new-inquiry/duplicate"');
    const detail = await (await get("/dashboard/sequences/warm", cookie)).text();
    expect(detail).toContain('href="/dashboard/sequences/warm/edit"');
    expect(detail).toContain('href="/dashboard/sequences/warm/duplicate"');
    const script = await get("/dashboard/sequence-editor.js", cookie);
    expect(script.headers.get("content-type")).toContain("javascript");
  });
});
