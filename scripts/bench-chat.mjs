// The site chat half of `npm run bench` (issue #21): what the snippet costs a page with and
// without chat, and how long a visitor waits for the chat's first answer without a model,
// as a ratio to the bare route timed side by side in the same run.
import { gzipSync } from "node:zlib";
import { bundle, fixtures, start } from "./bench-http.mjs";

const SITE = "https://chat.site.example";
const PRICING = "Our Team plan costs $49 per month per seat, billed yearly. The Business plan is $99 per month per seat and adds single sign-on.";
const ROUNDS = Number(process.env.BENCH_CHAT_ROUNDS ?? 15);

const median = (xs) => Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1));

/** Bytes on the wire for a script as the Worker serves it, gzipped as a CDN would. */
async function gzipBytes(mf, path) {
  const body = Buffer.from(await (await mf.dispatchFetch(`http://localhost${path}`)).arrayBuffer());
  return gzipSync(body, { level: 9 }).length;
}

/**
 * One visitor's first answer: the socket opened through Miniflare (the upgrade goes through
 * the edge route to a fresh visitor-chat object), `hello` and a pricing question sent at
 * once, timed until the answer frame arrives.
 */
async function firstAnswer(mf, round) {
  const visitor = `benchvisitor${round}${Date.now()}`;
  const t0 = performance.now();
  const response = await mf.dispatchFetch(`http://localhost/chat/ws?v=${visitor}`, { headers: { upgrade: "websocket", origin: SITE } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`the chat socket was refused: ${response.status} ${await response.text()}`);
  const answered = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer frame in 10 s")), 10_000);
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      if (frame.t === "answer") {
        clearTimeout(timer);
        resolve(frame);
      }
    });
  });
  ws.accept();
  ws.send(JSON.stringify({ t: "hello", page: `${SITE}/pricing`, title: "Pricing" }));
  ws.send(JSON.stringify({ t: "say", text: "How much does the Team plan cost?" }));
  const frame = await answered;
  const ms = performance.now() - t0;
  ws.close();
  if (!frame.text.includes("$49")) throw new Error(`the answer is not the pricing passage: ${frame.text}`);
  return ms;
}

async function bareRoute(mf) {
  const t0 = performance.now();
  await (await mf.dispatchFetch("http://localhost/healthz")).arrayBuffer();
  return performance.now() - t0;
}

export async function runChat() {
  bundle();
  const { mf, url } = await start();
  try {
    await fixtures(url);
    const owner = { authorization: "Bearer bench-owner-token", "content-type": "application/json" };
    await fetch(`${url}/api/sites`, { method: "PUT", headers: owner, body: JSON.stringify({ origin: SITE, chat: { enabled: true } }) });
    await fetch(`${url}/api/knowledge/pricing`, { method: "PUT", headers: owner, body: JSON.stringify({ title: "Pricing", kind: "pricing", text: PRICING }) });
    const snippetGzip = await gzipBytes(mf, "/s.js");
    const widgetGzip = await gzipBytes(mf, "/chat.js");
    // Warm both paths once (module load, the knowledge index), then alternate.
    await bareRoute(mf);
    await firstAnswer(mf, -1);
    const bare = [];
    const chat = [];
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await bareRoute(mf));
      chat.push(await firstAnswer(mf, round));
    }
    const result = {
      snippetGzipBytes: snippetGzip,
      withChatGzipBytes: snippetGzip + widgetGzip,
      rounds: ROUNDS,
      bareP50Ms: median(bare),
      firstAnswerP50Ms: median(chat),
    };
    result.ratio = Number((result.firstAnswerP50Ms / result.bareP50Ms).toFixed(1));
    console.log(
      `chat: s.js ${snippetGzip} B gzipped, s.js + chat.js ${result.withChatGzipBytes} B; first answer without a model ${result.firstAnswerP50Ms} ms against /healthz ${result.bareP50Ms} ms (median of ${ROUNDS}), ratio ${result.ratio}`,
    );
    return result;
  } finally {
    await mf.dispose();
  }
}
