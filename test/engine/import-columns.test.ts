import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { columnKey, fieldOfColumn, guessMapping, mapsContact, rowFields } from "../../engine/lead/import-columns";

/** The importer's column guessing (one table for the page's script and the server), and the script's bundle. */

describe("import columns", () => {
  it("reads the headers CRMs and spreadsheets export, whatever their case and punctuation", () => {
    const expected: [string, string][] = [
      ["E-mail Address", "email"],
      ["Email Address", "email"],
      ["Work email", "email"],
      ["EMAIL_ADDRESS", "email"],
      ["e-mail", "email"],
      ["Phone Number", "phone"],
      ["Mobile", "phone"],
      ["Mobile Phone #", "phone"],
      ["First Name", "first_name"],
      ["first_name", "first_name"],
      ["Last name", "last_name"],
      ["Surname", "last_name"],
      ["Full Name", "name"],
      ["Company Name", "company"],
      ["Organisation", "company"],
      ["Job Title", "title"],
      ["Title", "title"],
      ["job-title", "title"],
      ["Notes", "message"],
      ["Comments", "message"],
      ["Lead Source", "source"],
      ["Organisation Name", "company"],
    ];
    for (const [header, field] of expected) expect(fieldOfColumn(header), header).toBe(field);
    expect(columnKey(" Société Générale ")).toBe("societegenerale");
    for (const other of ["Date Added", "Lifecycle stage", "", "Owner", "utm_campaign"]) expect(fieldOfColumn(other), other).toBeUndefined();
  });

  it("maps each field to the first column that names it, and a column to one field", () => {
    const header = ["Lead Source", "E-mail Address", "Work email", "First Name", "Last Name", "Company Name", "Job Title", "Notes", "Phone Number", "Created"];
    expect(guessMapping(header)).toEqual({ source: 0, email: 1, first_name: 3, last_name: 4, company: 5, title: 6, message: 7, phone: 8 });
    expect(guessMapping(["Notes", "Comments"])).toEqual({ message: 0 });
  });

  it("knows when a file has no email or phone column, so the page can warn before importing", () => {
    expect(mapsContact(guessMapping(["Name", "Company", "Notes"]))).toBe(false);
    expect(mapsContact(guessMapping(["Name", "Mobile"]))).toBe(true);
    expect(mapsContact(guessMapping(["E-mail Address"]))).toBe(true);
  });

  it("reads a row's fields through the mapping, blank cells not given", () => {
    expect(rowFields(["ann@example.com", "  ", "Ann"], { email: 0, company: 1, name: 2, title: 7 })).toEqual({ email: "ann@example.com", name: "Ann" });
  });

  it("the import page's script is built from its source (npm run build:browser)", () => {
    const check = spawnSync(process.execPath, ["scripts/build-browser.mjs", "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
