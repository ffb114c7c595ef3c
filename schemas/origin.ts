import { z } from "zod";

/** A bare web origin (scheme, host, optional port), lower-cased as browsers send it. */
export const OriginSchema = z
  .string()
  .regex(/^https?:\/\/[^/\s?#]+$/i, "must be an origin like https://example.com")
  .transform((origin) => origin.toLowerCase());
