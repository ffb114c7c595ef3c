ALTER TABLE `leads` ADD `form_posted_at` integer;--> statement-breakpoint
ALTER TABLE `sites` ADD `form_posted_at` integer;--> statement-breakpoint
ALTER TABLE `touches` ADD `message_id` text;--> statement-breakpoint
ALTER TABLE `touches` ADD `provider_id` text;--> statement-breakpoint
ALTER TABLE `touches` ADD `sent_to` text;--> statement-breakpoint
-- What resolution, delivery reports and the first-run checklist read across leads moves off the raw events onto these rows.
UPDATE `touches` SET (`message_id`, `provider_id`, `sent_to`) = (
  SELECT json_extract(e.`data`, '$.messageId'), json_extract(e.`data`, '$.providerId'), json_extract(e.`data`, '$.to')
  FROM `events` e
  WHERE e.`lead_id` = `touches`.`lead_id` AND e.`kind` = 'touch_sent' AND `touches`.`id` = e.`lead_id` || ':' || json_extract(e.`data`, '$.key')
  ORDER BY e.`at` DESC LIMIT 1
);--> statement-breakpoint
UPDATE `leads` SET `form_posted_at` = (
  SELECT min(e.`at`) FROM `events` e
  WHERE e.`lead_id` = `leads`.`id` AND e.`kind` = 'form_submitted' AND json_extract(e.`data`, '$.submission.imported') IS NULL
);--> statement-breakpoint
UPDATE `sites` SET `form_posted_at` = (
  SELECT min(e.`at`) FROM `events` e
  WHERE e.`kind` = 'form_submitted' AND json_extract(e.`data`, '$.submission.imported') IS NULL
    AND substr(json_extract(e.`data`, '$.submission.page'), 1, length(`sites`.`origin`) + 1) = `sites`.`origin` || '/'
);--> statement-breakpoint
CREATE INDEX `touches_message_id_idx` ON `touches` (`message_id`) WHERE "touches"."message_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `touches_provider_id_idx` ON `touches` (`provider_id`) WHERE "touches"."provider_id" IS NOT NULL;--> statement-breakpoint
-- `events` is now only the local stand-in for Analytics Engine, read per lead (export, erasure) and by date (retention).
DROP INDEX `events_kind_at_idx`;--> statement-breakpoint
DROP INDEX `events_message_id_idx`;--> statement-breakpoint
DROP INDEX `events_provider_id_idx`;
