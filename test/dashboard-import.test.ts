import { describe, expect, it } from "vitest";
import { asOwner, makeForm, postJson, unique } from "./helpers";
import { dashboardLogin, getPage, postJsonAsPage } from "./dashboard-client";

/** The dashboard's CSV import (chunks of rows the page parsed) and the leads CSV export. */

type ImportAnswer = { imported: number; errors: { row: number; problem: string }[] };
const leadsMatching = async (q: string) => ((await (await asOwner(`/api/leads?q=${encodeURIComponent(q)}`)).json()) as { leads: Record<string, unknown>[] }).leads;

describe("import", () => {
  it("imports a chunk of rows through the mapping, reporting the rows it cannot take by number and why", async () => {
    const session = await dashboardLogin();
    const a = `${unique("imp")}@example.com`;
    const b = `${unique("imp")}@example.com`;
    const header = ["E-mail", "Full name", "Org"];
    const rows = [
      [a, "Ann, Lee", "Acme"],
      ["not-an-email", "Bob", "Beta"],
      ["", "Nobody", "Gamma"],
      [b, "Multi\nLine", "Delta"],
    ];
    const response = await postJsonAsPage("/dashboard/import/rows", { header, rows, mapping: { email: 0, name: 1, company: 2 }, firstRow: 11 }, session);
    expect(response.status).toBe(200);
    const result = (await response.json()) as ImportAnswer;
    expect(result.imported).toBe(2);
    expect(result.errors.map((e) => e.row)).toEqual([12, 13]);
    expect(result.errors[0]!.problem).toContain("email: is not a valid email address");
    expect(result.errors[1]!.problem).toBe("no email or phone");
    expect(await leadsMatching(a)).toEqual([expect.objectContaining({ name: "Ann, Lee", company: "Acme", source: "import" })]);
  });

  it("guesses the columns from the header with the page's synonym table when a chunk names no mapping", async () => {
    const session = await dashboardLogin();
    const email = `${unique("syn")}@example.com`;
    const header = ["Lead Owner", "E-mail Address", "First Name", "Last Name", "Company Name", "Job Title", "Notes", "Mobile"];
    const rows = [["Sam", email.toUpperCase(), "Ann", "Lee", "Acme", "Head of Ops", "Met at the fair;\nwants a quote", "+1 415 555 0100"]];
    const result = (await (await postJsonAsPage("/dashboard/import/rows", { header, rows, firstRow: 1 }, session)).json()) as ImportAnswer;
    expect(result).toEqual({ imported: 1, errors: [] });
    const [lead] = await leadsMatching(email);
    expect(lead).toMatchObject({ email, name: "Ann Lee", company: "Acme", title: "Head of Ops", phone: "+14155550100" });
    const summary = (await (await asOwner(`/api/leads/${lead!.id}`)).json()) as { timeline: { kind: string; submission?: { message?: string } }[] };
    expect(summary.timeline.find((e) => e.kind === "form_submitted")?.submission?.message).toBe("Met at the fair;\nwants a quote");
  });

  it("refuses a chunk whose mapping gives no row an email or phone, or names a column the file lacks, with the reason", async () => {
    const session = await dashboardLogin();
    const rows = [["Ann", "ann@example.com"]];
    const noContact = await postJsonAsPage("/dashboard/import/rows", { header: ["Name", "Where"], rows, mapping: { name: 0 }, firstRow: 1 }, session);
    expect(noContact.status).toBe(422);
    expect(await noContact.json()).toMatchObject({ error: { issues: [expect.objectContaining({ field: "mapping", message: expect.stringContaining("email or phone") })] } });
    // Nothing in the header names an email or a phone either.
    expect((await postJsonAsPage("/dashboard/import/rows", { header: ["Name", "Where"], rows, firstRow: 1 }, session)).status).toBe(422);
    const outside = await postJsonAsPage("/dashboard/import/rows", { header: ["Email"], rows, mapping: { email: 3 }, firstRow: 1 }, session);
    expect(outside.status).toBe(422);
    expect(JSON.stringify(await outside.json())).toContain("the file has no column 4");
    expect((await postJsonAsPage("/dashboard/import/rows", { header: ["Email"], rows, mapping: { email: 0 }, firstRow: 1 }, { ...session, csrf: "forged" })).status).toBe(403);
    expect((await postJsonAsPage("/dashboard/import/rows", { header: ["Email"], rows, mapping: { email: 0 }, firstRow: 1, sequenceId: "nope" }, session)).status).toBe(422);
    const tooMany = Array.from({ length: 501 }, (_, i) => [`x${i}@example.com`]);
    const big = await postJsonAsPage("/dashboard/import/rows", { header: ["Email"], rows: tooMany, firstRow: 1 }, session);
    expect(big.status).toBe(422);
    expect(JSON.stringify(await big.json())).toContain("send at most 500 rows at a time");
  });

  it("serves the page's script from its own origin, with the field labels, the warning and every input labelled", async () => {
    const { cookie } = await dashboardLogin();
    const page = await (await getPage("/dashboard/import", cookie)).text();
    expect(page).toContain('<script src="/dashboard/import.js" defer');
    expect(page).toContain('id="mapping-warning"');
    for (const label of ["Email", "Phone", "Job title", "Notes or message"]) expect(page).toContain(`${label}<select`);
    const script = await getPage("/dashboard/import.js", cookie);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("Papa Parse");
  });
});

describe("export", () => {
  it("exports leads as CSV with formulas defused and E.164 phones as written", async () => {
    const form = await makeForm();
    const marker = unique("csv");
    await postJson(form.id, {
      email: `${marker}@example.com`,
      phone: "+1 (415) 555-0142",
      name: '=HYPERLINK("http://evil.example")',
      company: 'Quote "Co", Ltd',
      title: "+1+cmd|' /C calc'!A0",
    });
    await postJson(form.id, { email: `${marker}-2@example.com`, name: "-2+3", company: "@SUM(A1)" });
    const { cookie } = await dashboardLogin();
    const response = await getPage("/dashboard/leads.csv", cookie);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.split("\r\n")[0]).toBe("id,name,email,phone,company,title,source,status,score,sequenceId,createdAt,lastActivityAt,repliedAt,bookedAt,unsubscribedAt");
    const line = text.split("\r\n").find((l) => l.includes(`${marker}@example.com`))!;
    expect(line).toContain(`,${marker}@example.com,+14155550142,`);
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(line).toContain(`"Quote ""Co"", Ltd"`);
    expect(line).toContain(`,'+1+cmd|' /C calc'!A0,`);
    const other = text.split("\r\n").find((l) => l.includes(`${marker}-2@example.com`))!;
    expect(other).toContain(",'-2+3,");
    expect(other).toContain(",'@SUM(A1),");
    expect(text).not.toMatch(/(^|,)[=@]|(^|,)-\d|(^|,)\+\d+[^\d,]/m);
  });
});
