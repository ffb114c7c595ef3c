import { describe, expect, it } from "vitest";
import { SettingsPatchSchema } from "../../schemas/settings";

/** The rules a saved setting must meet, as the API, the dashboard form and the vars apply them. */

describe("the hand-off webhook URL", () => {
  const accepts = (url: string) => SettingsPatchSchema.safeParse({ handOffWebhookUrl: url }).success;

  it("is https, since it carries lead data; plain http only to this machine (a local CRM, the bench)", () => {
    expect(accepts("https://crm.example.com/hooks/lead")).toBe(true);
    expect(accepts("")).toBe(true);
    expect(accepts("http://crm.example.com/hooks/lead")).toBe(false);
    expect(accepts("http://127.0.0.1:8123/hand-off")).toBe(true);
    expect(accepts("http://localhost/hand-off")).toBe(true);
    // A host that only starts like this machine is another machine.
    expect(accepts("http://127.0.0.1.evil.example/hand-off")).toBe(false);
    expect(accepts("http://localhost.evil.example/")).toBe(false);
  });
});
