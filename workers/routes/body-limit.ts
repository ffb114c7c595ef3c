import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../services/app-error";

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB` : `${Math.floor(bytes / 1024)} KB`);

/**
 * Refuses a body over `maxSize` bytes, with or without a Content-Length, before a route
 * reads it: the one 413 answer, `too_large`, naming what was posted and its limit.
 */
export const limitBody = (maxSize: number, what: string, hint?: string) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, "too_large", `${what} may be at most ${sizeText(maxSize)}.${hint ? ` ${hint}` : ""}`);
    },
  });
