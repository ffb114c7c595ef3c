// Starts the engine the way `npm start` does (wrangler dev, local D1 and objects), in a
// throwaway state directory, on a free port: the browser tests talk to it over real HTTP.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

export const E2E_SECRETS = { OWNER_TOKEN: "e2e-owner-token", LEAD_ID_SECRET: "e2e-lead-id-secret", TOKEN_SECRET: "e2e-token-secret" };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface LocalEngine {
  url: string;
  /** The throwaway state directory (local D1 and objects), for `wrangler d1 execute --persist-to`. */
  state: string;
  stop(): Promise<void>;
}

/**
 * `vars` override the local configuration for this engine (as `--var` does). With
 * `publicUrlIsEngine`, PUBLIC_URL is the engine's own address, so code the dashboard hands
 * out (a form's embed code, links in messages) points at this engine.
 */
export async function startEngine(vars: Record<string, string> = {}, options: { publicUrlIsEngine?: boolean } = {}): Promise<LocalEngine> {
  const state = mkdtempSync(join(tmpdir(), "follow-up-e2e-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stderr}${migrate.stdout}`);

  const port = await freePort();
  const own = options.publicUrlIsEngine ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {};
  const varArgs = Object.entries({ ...E2E_SECRETS, ...own, ...vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child: ChildProcess = spawn(
    "npx",
    ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--inspector-port", String(await freePort()), ...varArgs],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start in 60 s:\n${output}`)), 60_000);
    const watch = (chunk: Buffer) => {
      output += chunk;
      if (/Ready on/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", watch);
    child.stderr!.on("data", watch);
    child.on("exit", (code) => reject(new Error(`wrangler dev exited (${code}):\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    async stop() {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** The owner API of a running engine, as a CRM or a script would call it. */
export function ownerFetch(engine: LocalEngine, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${engine.url}${path}`, { ...init, headers: { authorization: `Bearer ${E2E_SECRETS.OWNER_TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

/** Polls until `probe` gives something, for what a real engine does a moment later. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Debian's chromium (or CHROMIUM_PATH), headless, with nothing of its own talking to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
