import { describe, expect, it } from "vitest";

describe("toolchain", () => {
  it("the npm scripts run on Node 22 or later (the registry's node package, whatever the machine's own Node is)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
  });
});
