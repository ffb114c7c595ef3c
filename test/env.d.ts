declare namespace Cloudflare {
  interface Env {
    /** Test-only binding: the D1 migrations read by vitest.config.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Test-only binding: samples from ../shared/fixtures, read on the Node side. */
    TEST_FIXTURES: {
      crawlerAgents: string[];
      browserAgents: string[];
      appleRelayV4: string[];
      appleRelayV6: string[];
      microsoftV4: string[];
      naughtyStrings: string[];
    };
  }
}
