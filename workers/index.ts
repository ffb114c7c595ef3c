import { app } from "./app";
import { scheduled } from "./maintenance";

export { LeadObject } from "../durable-objects/lead-object";
export { SenderObject } from "../durable-objects/sender-object";

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
