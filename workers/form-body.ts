import { AppError } from "../services/app-error";

/** A posted field: one value, or several when the same name was posted more than once. */
export type PostedFields = Record<string, string | string[]>;

function add(fields: PostedFields, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

/** JSON clients send numbers and booleans where forms send strings; nested values stay JSON. */
function jsonValue(value: unknown): string | string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => ["string", "number", "boolean"].includes(typeof v))) return value.map(String);
  return JSON.stringify(value);
}

/**
 * Reads a form post as urlencoded, multipart or JSON. Uploaded files are not kept: a lead
 * form has no use for them and they would blow the storage budget of a lead.
 */
export async function readPostedFields(request: Request): Promise<PostedFields> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const fields: PostedFields = {};
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw new AppError(400, "malformed_body", "The form body could not be read (truncated, or a wrong multipart boundary).");
    }
    for (const [name, value] of form) if (typeof value === "string") add(fields, name, value);
    return fields;
  }
  if (type === "application/json" || type.endsWith("+json")) {
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      throw new AppError(400, "malformed_body", "The body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new AppError(400, "malformed_body", "The JSON body must be an object of fields.");
    }
    for (const [name, value] of Object.entries(body)) {
      const converted = jsonValue(value);
      if (converted !== undefined) fields[name] = converted;
    }
    return fields;
  }
  throw new AppError(415, "unsupported_content_type", "Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.");
}
