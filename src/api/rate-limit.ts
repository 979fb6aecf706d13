// The partner API's rate limit, shared by the gate (headers, 429) and the OpenAPI document.
// Must match [[ratelimits]] API_RATE_LIMITER in wrangler.toml: the binding cannot report it.
export const RATE_LIMIT_REQUESTS = 120;
export const RATE_LIMIT_PERIOD_SECONDS = 60;
