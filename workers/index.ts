import { app } from "./app";
import { receiveQueue } from "./delivery-events";
import { receiveEmail } from "./inbound/email-handler";
import { scheduled } from "./maintenance";

export { LeadObject } from "../durable-objects/lead-object";
export { SenderObject } from "../durable-objects/sender-object";

export default { fetch: app.fetch, scheduled, email: receiveEmail, queue: receiveQueue } satisfies ExportedHandler<Env>;
