/**
 * Optional configuration (not in wrangler.toml): Cal.com OAuth sign-in. Without
 * CALCOM_OAUTH_CLIENT_ID a Cal.com connection takes an API key instead.
 */
interface OptionalEnv {
  /** Client ID of our Cal.com OAuth client (app.cal.com/settings/developer/oauth). */
  CALCOM_OAUTH_CLIENT_ID?: string;
  /** Its client secret (a secret: `wrangler secret put`). */
  CALCOM_OAUTH_CLIENT_SECRET?: string;
  /** Default https://app.cal.com/auth/oauth2/authorize. */
  CALCOM_OAUTH_AUTHORIZE_URL?: string;
  /** Cal.com's API base for the token exchange; default https://api.cal.com. */
  CALCOM_API_BASE?: string;
}
interface Env extends OptionalEnv {}
declare namespace Cloudflare {
  interface Env extends OptionalEnv {}
}
