import type { MergeValues } from "./template";

const HOUR = 3_600_000;

export interface SequenceConfig {
  /** The business's zone, for leads whose own zone is unknown. */
  defaultTimezone: string;
  /** Sender and link values for templates. */
  merge: Pick<MergeValues, "senderName" | "senderCompany" | "bookingUrl" | "siteUrl">;
  /** Where a rep's `return` sends a lead. */
  nurtureSequenceId: string;
  /** Waits before retrying a touch the channel refused for a passing reason; one more failure gives up. */
  retryDelaysMs: number[];
  /** A "not now" reply holds the lead this many days, then its sequences resume. */
  notNowHoldDays: number;
  /** An out-of-office that names no return date postpones touches this many days. */
  outOfOfficeDays: number;
  /** Soft bounces in a row (no human signal between) after which the address is suppressed. */
  softBounceLimit: number;
}

export const DEFAULT_SEQUENCE_CONFIG: SequenceConfig = {
  defaultTimezone: "America/New_York",
  merge: {},
  nurtureSequenceId: "nurture",
  retryDelaysMs: [60_000, 5 * 60_000, 30 * 60_000, 2 * HOUR, 6 * HOUR],
  notNowHoldDays: 30,
  outOfOfficeDays: 7,
  softBounceLimit: 3,
};
