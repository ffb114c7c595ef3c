declare namespace Cloudflare {
  interface Env {
    /** Test-only binding: the D1 migrations read by vitest.config.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Test-only binding: "full" under `npm run fuzz`, else "slice". */
    FUZZ_DEPTH: string;
    /** Test-only binding: samples vendored in test/fixtures, read on the Node side (load-fixtures.ts). */
    TEST_FIXTURES: {
      crawlerAgents: string[];
      browserAgents: string[];
      mailClientAgents: { agent: string; heldOut: boolean }[];
      appleRelayV4: string[];
      appleRelayV6: string[];
      microsoftV4: string[];
      naughtyStrings: string[];
      replies: { file: string; expected_reply: string | null; accepted_replies?: string[]; must_contain?: string[]; must_not_contain?: string[]; heldOut: boolean; body: string }[];
      bounces: { file: string; category: string; is_bounce: boolean; is_auto_reply: boolean; bounce_type: "hard" | "soft" | "mixed" | null; heldOut: boolean; base64: string }[];
    };
  }
}
