import { Hono } from "hono";
import { AppError } from "../services/app-error";
import { answerError } from "./errors";
import { api } from "./routes/api";
import { capture } from "./routes/capture";
import { chat } from "./routes/chat";
import { dashboard } from "./routes/dashboard";
import { demo } from "./routes/demo";
import { hooks } from "./routes/hooks";
import { tracking } from "./routes/tracking";
import { unsubscribe } from "./routes/unsubscribe";

/** The Worker's HTTP surface, one sub-app per concern. */
export const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));
app.route("/f", capture);
app.route("/", tracking);
app.route("/", chat);
app.route("/u", unsubscribe);
app.route("/hooks", hooks);
app.route("/api", api);
app.route("/demo", demo);
app.route("/dashboard", dashboard);

app.notFound(() => {
  throw new AppError(404, "not_found", "There is nothing at this address.");
});
app.onError(answerError);
