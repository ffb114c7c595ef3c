import { describe, expect, it } from "vitest";
import { documentIdOf, documentText, plainTextOfMarkdown } from "../../engine/knowledge/document-text";

/** Knowledge documents pasted or uploaded as Markdown become the plain text drafts quote. */

describe("knowledge document text", () => {
  it("reads Markdown as a person would: no marks, links as their words, headings as sentences", () => {
    const markdown = [
      "# Acme Roofing case study",
      "",
      "Acme cut their **quote time by 40%** in _two weeks_ with [our tool](https://vendor.example/tool).",
      "",
      "> “We booked twice as many roofs.” — Dana, *owner*",
      "",
      "## What changed?",
      "- Quotes go out the same day",
      "- `auto-follow-up` on every lead",
      "",
      "---",
      "```",
      "npm start",
      "```",
      "![A roof](https://img.example/roof.png) snake_case_names stay.",
    ].join("\n");
    expect(plainTextOfMarkdown(markdown)).toBe(
      [
        "Acme Roofing case study.",
        "",
        "Acme cut their quote time by 40% in two weeks with our tool.",
        "",
        "“We booked twice as many roofs.” — Dana, owner",
        "",
        "What changed?",
        "- Quotes go out the same day",
        "- auto-follow-up on every lead",
        "",
        "npm start",
        "",
        "A roof snake_case_names stay.",
      ].join("\n"),
    );
  });

  it("keeps plain text exactly as written", () => {
    const text = "Prices: *from* $49/month.\n\n# not a heading here";
    expect(documentText(text, "text")).toBe(text);
  });

  it("makes a document id from its title", () => {
    expect(documentIdOf("Acme Roofing — case study")).toBe("acme-roofing-case-study");
    expect(documentIdOf("Préços & FAQ 2026!")).toBe("precos-faq-2026");
    expect(documentIdOf("—")).toBe("document");
    expect(documentIdOf("x".repeat(100))).toHaveLength(64);
  });
});
