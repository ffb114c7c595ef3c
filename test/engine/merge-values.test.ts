import { describe, expect, it } from "vitest";
import { mergeable } from "../../engine/sequence/merge-values";

describe("what of a stranger's form fields a message may carry", () => {
  it("merges names, companies and titles as people write them, in any script", () => {
    for (const name of ["Ann", "José María", "O'Neil", "Ann-Marie", "Nguyễn Văn An", "李小龍", "Zoë", "J. R."]) expect(mergeable("firstName", name)).toBe(name);
    for (const company of ["Acme Roofing", "Smith & Sons, Inc.", "3M", "AT&T (Europe)", "Müller GmbH"]) expect(mergeable("company", company)).toBe(company);
    expect(mergeable("title", "VP, Sales")).toBe("VP, Sales");
    expect(mergeable("firstName", "  Ann  ")).toBe("Ann");
  });

  it("leaves out anything a mail client or phone would turn into a link", () => {
    const links = [
      "https://evil.example/login Urgent: verify your account at",
      "evil.example",
      "www.evil",
      "ann@evil.example",
      "Visit evil.com now",
      "ftp://x",
      "Acme.io",
      "javascript:alert(1)",
    ];
    for (const value of links) {
      expect(mergeable("firstName", value), value).toBeUndefined();
      expect(mergeable("company", value), value).toBeUndefined();
    }
  });

  it("leaves out markup, hidden and direction-changing characters, and what is too long to be a name", () => {
    const hostile = ["<b>Ann</b>", "Ann\u202Egnp.exe", "An\u200Bn", "Ann\nBcc: x", "Ann\u0000", "{{senderName}}", "Urgent: verify now", "a".repeat(41), "One Two Three Four Five"];
    for (const value of hostile) expect(mergeable("firstName", value), JSON.stringify(value)).toBeUndefined();
    expect(mergeable("company", "x".repeat(81))).toBeUndefined();
  });

  it("merges no field it has no rule for", () => {
    expect(mergeable("email", "ann@example.com")).toBeUndefined();
    expect(mergeable("phone", "+12125550147")).toBeUndefined();
  });
});
