import { defineConfig } from "drizzle-kit";

// Generates the flat NNNN_name.sql files that `wrangler d1 migrations apply` reads.
export default defineConfig({
  dialect: "sqlite",
  schema: "./schemas/d1.ts",
  out: "./migrations",
});
