import { Hono, type Context } from "hono";
import { z } from "zod";
import { CHAT_OFF } from "../../schemas/chat";
import { AppError } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { listConversations } from "../../services/d1/conversations";
import { listSequences } from "../../services/d1/sequences";
import { putSiteChat } from "../../services/d1/sites";
import { ChatSettingsForm, chatOfFields, fieldsOfChat } from "../dashboard/chat-settings";
import { ConversationList, conversationLine, CONVERSATIONS_SCRIPT } from "../dashboard/conversations";
import { Page } from "../dashboard/layout";
import { LEAD_CHAT_SCRIPT } from "../dashboard/lead-chat";
import { fieldsFromBody, type EditorFields } from "../dashboard/sequence-form";
import type { Session } from "../dashboard/session";
import { leadSummary } from "../lead-actions";
import { leadObject } from "../lead-stub";
import { storedSite } from "./dashboard-forms";
import { leadParam, type LeadParamEnv } from "./lead-param";
import { postedForm, valid } from "./validate";

/**
 * The owner's side of site chat: a site's chat settings (`/dashboard/sites/chat`), the live
 * conversations (`/dashboard/conversations`, and its JSON for the page's refresh), and the
 * rep's socket to a lead's object (`/dashboard/leads/:id/chat/ws`). Mounted after the
 * dashboard's session and CSRF guard.
 */
type ChatEnv = { Bindings: Env; Variables: { session: Session; csrf: string; zone: string } & LeadParamEnv["Variables"] };
export const dashboardChat = new Hono<ChatEnv>();

const CONVERSATIONS_PER_PAGE = 50;

const sequenceIds = async (db: D1Database) => (await listSequences(db)).map((s) => s.id);

const settingsPage = async (c: Context<ChatEnv>, origin: string, fields: EditorFields, issues: { field: string; message: string }[] = []) => {
  const site = await storedSite(c, origin);
  return c.html(
    <Page
      title={`Chat on ${site.origin}`}
      path="/dashboard/sites"
      csrf={c.get("csrf")}
      flash={c.req.query("done") === "saved" ? "Chat settings saved." : undefined}
      zone={c.get("zone")}
    >
      <h1>{`Chat on ${site.origin}`}</h1>
      <ChatSettingsForm site={site} fields={fields} issues={issues} sequences={await sequenceIds(c.env.DB)} zone={c.get("zone")} csrf={c.get("csrf")} />
    </Page>,
    issues.length > 0 ? 422 : 200,
  );
};

dashboardChat.get("/sites/chat", async (c) => {
  const site = await storedSite(c, c.req.query("origin"));
  return settingsPage(c, site.origin, fieldsOfChat(site.chat ?? CHAT_OFF));
});

/** Saves the chat settings alone: the page rules and tracking are the rules editor's. */
dashboardChat.post("/sites/chat", async (c) => {
  const posted = await postedForm(c, { all: true });
  const site = await storedSite(c, typeof posted.origin === "string" ? posted.origin : undefined);
  const fields = fieldsFromBody(posted);
  const verdict = chatOfFields(fields, site, await sequenceIds(c.env.DB));
  if ("issues" in verdict) return settingsPage(c, site.origin, fields, verdict.issues);
  await putSiteChat(c.env.DB, site.origin, verdict.chat, clockFrom(c.env).now());
  return c.redirect(`/dashboard/sites/chat?origin=${encodeURIComponent(site.origin)}&done=saved`, 303);
});

const PageQuerySchema = z.object({ cursor: z.string().max(200).optional() });

dashboardChat.get("/conversations", valid("query", PageQuerySchema), async (c) => {
  const { cursor } = c.req.valid("query");
  const page = await listConversations(c.env.DB, { limit: CONVERSATIONS_PER_PAGE, cursor });
  const now = clockFrom(c.env).now();
  return c.html(
    <Page title="Conversations" path="/dashboard/conversations" csrf={c.get("csrf")} zone={c.get("zone")}>
      <h1>Conversations</h1>
      <ConversationList lines={page.conversations.map((row) => conversationLine(row, now))} next={page.nextCursor} first={!cursor} />
      <script src="/dashboard/conversations.js" defer />
    </Page>,
  );
});

/** The first page's rows in words, for the page's own refresh. */
dashboardChat.get("/conversations.json", valid("query", PageQuerySchema), async (c) => {
  const { cursor } = c.req.valid("query");
  const page = await listConversations(c.env.DB, { limit: CONVERSATIONS_PER_PAGE, cursor });
  const now = clockFrom(c.env).now();
  return c.json({ conversations: page.conversations.map((row) => conversationLine(row, now)), nextCursor: page.nextCursor });
});

const script = (body: string) => (c: Context<ChatEnv>) => c.body(body, 200, { "content-type": "text/javascript; charset=utf-8" });
dashboardChat.get("/conversations.js", script(CONVERSATIONS_SCRIPT));
dashboardChat.get("/lead-chat.js", script(LEAD_CHAT_SCRIPT));

dashboardChat.use("/leads/:leadId/chat/*", leadParam);

/**
 * The rep's socket to the lead's object. A WebSocket carries no CSRF token, and browsers
 * send the session cookie with it from any page: the Origin header, which a page cannot
 * forge, must be the dashboard's own.
 */
dashboardChat.get("/leads/:leadId/chat/ws", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    c.header("upgrade", "websocket");
    throw new AppError(426, "upgrade_required", "This address is a WebSocket: connect with Upgrade: websocket.");
  }
  if (c.req.header("origin") !== new URL(c.req.url).origin) throw new AppError(403, "bad_origin", "A rep's chat opens only from the dashboard's own pages.");
  await leadSummary(c.env, c.var.leadId);
  return leadObject(c.env, c.var.leadId).fetch(new Request("https://lead-object/rep-chat", { headers: { Upgrade: "websocket" } }));
});
