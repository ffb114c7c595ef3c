/** Text made safe inside HTML or XML, in element content and in quoted attributes alike. */
export const escapeMarkup = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * Text made safe in a Slack message: Slack reads `<…>` as links and mentions
 * (`<!channel>`, `<https://evil.example|Open CRM record>`), so its three control
 * characters are escaped as its docs ask; URLs in plain text still become links.
 */
export const escapeSlack = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
