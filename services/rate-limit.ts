/**
 * One count against a limit: false when the key is over it. A limiter that fails answers
 * true — an outage of the counter must not turn away a lead — and says so in the log.
 */
export async function withinLimit(limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success;
  } catch (error) {
    console.error(JSON.stringify({ event: "rate_limit_unavailable", error: String(error) }));
    return true;
  }
}
