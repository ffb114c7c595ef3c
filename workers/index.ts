import { app } from "./app";

export { LeadObject } from "../durable-objects/lead-object";
export { SenderObject } from "../durable-objects/sender-object";

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
