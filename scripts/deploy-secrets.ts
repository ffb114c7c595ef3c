/**
 * The secrets production requires, as `[env.production.secrets] required` lists them in
 * wrangler.toml, and which of them a deployment lacks. Pure, so `npm run deploy` and its
 * test read the same list.
 */
export function requiredSecrets(toml: string): string[] {
  const table = toml.indexOf("\n[env.production.secrets]");
  if (table < 0) return [];
  const body = toml.slice(table + 1).split(/\n(?=\[)/)[0] ?? "";
  const list = /^required\s*=\s*\[([^\]]*)\]/m.exec(body)?.[1] ?? "";
  return [...list.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]!);
}

/** `listed`: the output of `wrangler secret list --format json` (an array of `{name}`). */
export function missingSecrets(required: string[], listed: unknown): string[] | null {
  if (!Array.isArray(listed)) return null;
  const names = new Set(listed.flatMap((s) => (typeof s === "object" && s !== null && "name" in s && typeof s.name === "string" ? [s.name] : [])));
  return required.filter((name) => !names.has(name));
}
