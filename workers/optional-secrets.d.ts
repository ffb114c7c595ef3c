// The secrets a deployment may set but need not. `npm run types` (wrangler types) types the
// bindings and vars from wrangler.toml and, of the secrets, only those a configuration
// requires ([env.production.secrets] required); these are the rest, kept by hand here.
// The list matches .dev.vars.example and docs/configuration.md.
interface OptionalSecrets {
  /** Retired token keys that still verify, as id:secret,id:secret. */
  TOKEN_PREVIOUS_SECRETS?: string;
  RESEND_API_KEY?: string;
  RESEND_WEBHOOK_SECRET?: string;
  TWILIO_AUTH_TOKEN?: string;
  HANDOFF_WEBHOOK_SECRET?: string;
  SLACK_WEBHOOK_URL?: string;
  CALCOM_WEBHOOK_SECRET?: string;
  CALENDLY_WEBHOOK_SIGNING_KEY?: string;
  TURNSTILE_SECRET_KEY?: string;
}
/**
 * The secrets production requires. The local configuration cannot require them (with a
 * `secrets` list, `wrangler dev` loads only the listed ones from .dev.vars), so they are
 * typed as present here; `npm start` writes them, the routes that need one answer 503
 * while it is missing, and a production deploy without them fails.
 */
interface RequiredSecrets {
  OWNER_TOKEN: string;
  LEAD_ID_SECRET: string;
  TOKEN_SECRET: string;
}
interface Env extends OptionalSecrets, RequiredSecrets {}
declare namespace Cloudflare {
  interface Env extends OptionalSecrets, RequiredSecrets {}
}
