ALTER TABLE `leads` ADD `form_posted_at` integer;--> statement-breakpoint
ALTER TABLE `sites` ADD `form_posted_at` integer;--> statement-breakpoint
ALTER TABLE `touches` ADD `message_id` text;--> statement-breakpoint
ALTER TABLE `touches` ADD `provider_id` text;--> statement-breakpoint
ALTER TABLE `touches` ADD `sent_to` text;--> statement-breakpoint
-- What resolution, delivery reports and the first-run checklist read across leads moves off the raw events onto these rows.
-- The touches' and leads' backfills read the events they need once and join them by key: a subquery per row was planned on the
-- kind index, scanning every touch_sent (or form_submitted) event for each row — minutes at 20,000 rows,
-- past D1's per-query limit — where one pass takes 0.1 s.
UPDATE `touches` SET `message_id` = `sent`.`message_id`, `provider_id` = `sent`.`provider_id`, `sent_to` = `sent`.`sent_to`
FROM (
  -- The latest send of each touch (SQLite takes the bare columns from the row holding the max).
  SELECT `lead_id` || ':' || json_extract(`data`, '$.key') AS `touch_id`, json_extract(`data`, '$.messageId') AS `message_id`,
    json_extract(`data`, '$.providerId') AS `provider_id`, json_extract(`data`, '$.to') AS `sent_to`, max(`at`)
  FROM `events` WHERE `kind` = 'touch_sent' GROUP BY `touch_id`
) AS `sent`
WHERE `touches`.`id` = `sent`.`touch_id`;--> statement-breakpoint
UPDATE `leads` SET `form_posted_at` = `first`.`at`
FROM (
  SELECT `lead_id`, min(`at`) AS `at` FROM `events`
  WHERE `kind` = 'form_submitted' AND json_extract(`data`, '$.submission.imported') IS NULL GROUP BY `lead_id`
) AS `first`
WHERE `leads`.`id` = `first`.`lead_id`;--> statement-breakpoint
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
DROP INDEX `events_provider_id_idx`;--> statement-breakpoint
-- A first open or a new milestone moved its rollup by writing the row twice (out, then back in): a
-- change within the same day and sequence (and step) is now one write of the difference; a change
-- of day or sequence still moves the counts.
DROP TRIGGER `leads_rollup_update`;--> statement-breakpoint
CREATE TRIGGER `leads_rollup_move` AFTER UPDATE ON `leads` WHEN old.sequence_id IS NOT new.sequence_id OR old.created_at IS NOT new.created_at BEGIN
  INSERT INTO `lead_daily` (`day`, `sequence_id`, `leads`, `enrolled`, `contacted`, `opened`, `clicked`, `replied`, `booked`, `unsubscribed`, `bounced`, `opens_human`, `opens_auto`, `opens_machine`)
  VALUES ((old.created_at / 86400000) * 86400000, coalesce(old.sequence_id, ''), -(1), -(old.sequence_id IS NOT NULL), -(old.contacted_at IS NOT NULL), -(old.opened_at IS NOT NULL), -(old.clicked_at IS NOT NULL), -(old.replied_at IS NOT NULL), -(old.booked_at IS NOT NULL), -(old.unsubscribed_at IS NOT NULL), -(old.bounced_at IS NOT NULL), -(old.opens_human), -(old.opens_auto), -(old.opens_machine))
  ON CONFLICT (`day`, `sequence_id`) DO UPDATE SET `leads` = `leads` + excluded.`leads`, `enrolled` = `enrolled` + excluded.`enrolled`, `contacted` = `contacted` + excluded.`contacted`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `booked` = `booked` + excluded.`booked`, `unsubscribed` = `unsubscribed` + excluded.`unsubscribed`, `bounced` = `bounced` + excluded.`bounced`, `opens_human` = `opens_human` + excluded.`opens_human`, `opens_auto` = `opens_auto` + excluded.`opens_auto`, `opens_machine` = `opens_machine` + excluded.`opens_machine`;
  INSERT INTO `lead_daily` (`day`, `sequence_id`, `leads`, `enrolled`, `contacted`, `opened`, `clicked`, `replied`, `booked`, `unsubscribed`, `bounced`, `opens_human`, `opens_auto`, `opens_machine`)
  VALUES ((new.created_at / 86400000) * 86400000, coalesce(new.sequence_id, ''), 1, new.sequence_id IS NOT NULL, new.contacted_at IS NOT NULL, new.opened_at IS NOT NULL, new.clicked_at IS NOT NULL, new.replied_at IS NOT NULL, new.booked_at IS NOT NULL, new.unsubscribed_at IS NOT NULL, new.bounced_at IS NOT NULL, new.opens_human, new.opens_auto, new.opens_machine)
  ON CONFLICT (`day`, `sequence_id`) DO UPDATE SET `leads` = `leads` + excluded.`leads`, `enrolled` = `enrolled` + excluded.`enrolled`, `contacted` = `contacted` + excluded.`contacted`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `booked` = `booked` + excluded.`booked`, `unsubscribed` = `unsubscribed` + excluded.`unsubscribed`, `bounced` = `bounced` + excluded.`bounced`, `opens_human` = `opens_human` + excluded.`opens_human`, `opens_auto` = `opens_auto` + excluded.`opens_auto`, `opens_machine` = `opens_machine` + excluded.`opens_machine`;
END;--> statement-breakpoint
CREATE TRIGGER `leads_rollup_update` AFTER UPDATE ON `leads` WHEN old.sequence_id IS new.sequence_id AND old.created_at IS new.created_at AND (old.contacted_at IS NOT new.contacted_at OR old.opened_at IS NOT new.opened_at OR old.clicked_at IS NOT new.clicked_at OR old.replied_at IS NOT new.replied_at OR old.booked_at IS NOT new.booked_at OR old.unsubscribed_at IS NOT new.unsubscribed_at OR old.bounced_at IS NOT new.bounced_at OR old.opens_human IS NOT new.opens_human OR old.opens_auto IS NOT new.opens_auto OR old.opens_machine IS NOT new.opens_machine) BEGIN
  INSERT INTO `lead_daily` (`day`, `sequence_id`, `leads`, `enrolled`, `contacted`, `opened`, `clicked`, `replied`, `booked`, `unsubscribed`, `bounced`, `opens_human`, `opens_auto`, `opens_machine`)
  VALUES ((new.created_at / 86400000) * 86400000, coalesce(new.sequence_id, ''), (1) - (1), (new.sequence_id IS NOT NULL) - (old.sequence_id IS NOT NULL), (new.contacted_at IS NOT NULL) - (old.contacted_at IS NOT NULL), (new.opened_at IS NOT NULL) - (old.opened_at IS NOT NULL), (new.clicked_at IS NOT NULL) - (old.clicked_at IS NOT NULL), (new.replied_at IS NOT NULL) - (old.replied_at IS NOT NULL), (new.booked_at IS NOT NULL) - (old.booked_at IS NOT NULL), (new.unsubscribed_at IS NOT NULL) - (old.unsubscribed_at IS NOT NULL), (new.bounced_at IS NOT NULL) - (old.bounced_at IS NOT NULL), (new.opens_human) - (old.opens_human), (new.opens_auto) - (old.opens_auto), (new.opens_machine) - (old.opens_machine))
  ON CONFLICT (`day`, `sequence_id`) DO UPDATE SET `leads` = `leads` + excluded.`leads`, `enrolled` = `enrolled` + excluded.`enrolled`, `contacted` = `contacted` + excluded.`contacted`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `booked` = `booked` + excluded.`booked`, `unsubscribed` = `unsubscribed` + excluded.`unsubscribed`, `bounced` = `bounced` + excluded.`bounced`, `opens_human` = `opens_human` + excluded.`opens_human`, `opens_auto` = `opens_auto` + excluded.`opens_auto`, `opens_machine` = `opens_machine` + excluded.`opens_machine`;
END;--> statement-breakpoint
DROP TRIGGER `touches_rollup_update`;--> statement-breakpoint
CREATE TRIGGER `touches_rollup_move` AFTER UPDATE ON `touches` WHEN old.sent_at IS NOT new.sent_at OR old.sequence_id IS NOT new.sequence_id OR old.step_id IS NOT new.step_id OR old.channel IS NOT new.channel BEGIN
  INSERT INTO `touch_daily` (`day`, `sequence_id`, `step_id`, `channel`, `sent`, `opened`, `clicked`, `replied`, `ai_draft`, `ai_draft_model`, `edited_draft`, `template`)
  VALUES ((old.sent_at / 86400000) * 86400000, old.sequence_id, old.step_id, old.channel, -(1), -(old.opened_at IS NOT NULL), -(old.clicked_at IS NOT NULL), -(old.replied_at IS NOT NULL), -(old.origin = 'ai_draft'), -(old.origin = 'ai_draft' AND old.drafted_by = 'model'), -(old.origin = 'edited_draft'), -(old.origin = 'template'))
  ON CONFLICT (`day`, `sequence_id`, `step_id`, `channel`) DO UPDATE SET `sent` = `sent` + excluded.`sent`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `ai_draft` = `ai_draft` + excluded.`ai_draft`, `ai_draft_model` = `ai_draft_model` + excluded.`ai_draft_model`, `edited_draft` = `edited_draft` + excluded.`edited_draft`, `template` = `template` + excluded.`template`;
  INSERT INTO `touch_daily` (`day`, `sequence_id`, `step_id`, `channel`, `sent`, `opened`, `clicked`, `replied`, `ai_draft`, `ai_draft_model`, `edited_draft`, `template`)
  VALUES ((new.sent_at / 86400000) * 86400000, new.sequence_id, new.step_id, new.channel, 1, new.opened_at IS NOT NULL, new.clicked_at IS NOT NULL, new.replied_at IS NOT NULL, new.origin = 'ai_draft', new.origin = 'ai_draft' AND new.drafted_by = 'model', new.origin = 'edited_draft', new.origin = 'template')
  ON CONFLICT (`day`, `sequence_id`, `step_id`, `channel`) DO UPDATE SET `sent` = `sent` + excluded.`sent`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `ai_draft` = `ai_draft` + excluded.`ai_draft`, `ai_draft_model` = `ai_draft_model` + excluded.`ai_draft_model`, `edited_draft` = `edited_draft` + excluded.`edited_draft`, `template` = `template` + excluded.`template`;
END;--> statement-breakpoint
CREATE TRIGGER `touches_rollup_update` AFTER UPDATE ON `touches` WHEN old.sent_at IS new.sent_at AND old.sequence_id IS new.sequence_id AND old.step_id IS new.step_id AND old.channel IS new.channel AND (old.origin IS NOT new.origin OR old.drafted_by IS NOT new.drafted_by OR old.opened_at IS NOT new.opened_at OR old.clicked_at IS NOT new.clicked_at OR old.replied_at IS NOT new.replied_at) BEGIN
  INSERT INTO `touch_daily` (`day`, `sequence_id`, `step_id`, `channel`, `sent`, `opened`, `clicked`, `replied`, `ai_draft`, `ai_draft_model`, `edited_draft`, `template`)
  VALUES ((new.sent_at / 86400000) * 86400000, new.sequence_id, new.step_id, new.channel, (1) - (1), (new.opened_at IS NOT NULL) - (old.opened_at IS NOT NULL), (new.clicked_at IS NOT NULL) - (old.clicked_at IS NOT NULL), (new.replied_at IS NOT NULL) - (old.replied_at IS NOT NULL), (new.origin = 'ai_draft') - (old.origin = 'ai_draft'), (new.origin = 'ai_draft' AND new.drafted_by = 'model') - (old.origin = 'ai_draft' AND old.drafted_by = 'model'), (new.origin = 'edited_draft') - (old.origin = 'edited_draft'), (new.origin = 'template') - (old.origin = 'template'))
  ON CONFLICT (`day`, `sequence_id`, `step_id`, `channel`) DO UPDATE SET `sent` = `sent` + excluded.`sent`, `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`, `replied` = `replied` + excluded.`replied`, `ai_draft` = `ai_draft` + excluded.`ai_draft`, `ai_draft_model` = `ai_draft_model` + excluded.`ai_draft_model`, `edited_draft` = `edited_draft` + excluded.`edited_draft`, `template` = `template` + excluded.`template`;
END;
