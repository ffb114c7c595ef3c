CREATE TABLE `review_queue` (
	`lead_id` text NOT NULL,
	`enrolment_id` text NOT NULL,
	`sequence_id` text NOT NULL,
	`step_id` text NOT NULL,
	`intent` text NOT NULL,
	`due_at` integer NOT NULL,
	`held` integer NOT NULL,
	`draft` text NOT NULL,
	`template` text NOT NULL,
	`drafted_by` text NOT NULL,
	`predicted_objection` text,
	`made_at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `enrolment_id`)
);
--> statement-breakpoint
CREATE INDEX `review_due_idx` ON `review_queue` (`due_at`);--> statement-breakpoint
CREATE TABLE `touches` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`sequence_id` text NOT NULL,
	`step_id` text NOT NULL,
	`channel` text NOT NULL,
	`origin` text NOT NULL,
	`drafted_by` text,
	`sent_at` integer NOT NULL,
	`opened_at` integer,
	`clicked_at` integer,
	`replied_at` integer
);
--> statement-breakpoint
CREATE INDEX `touches_sent_idx` ON `touches` (`sent_at`);--> statement-breakpoint
CREATE INDEX `touches_sequence_idx` ON `touches` (`sequence_id`,`sent_at`);--> statement-breakpoint
ALTER TABLE `leads` ADD `sequence_id` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `contacted_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `opened_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `clicked_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `replied_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `booked_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `unsubscribed_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `bounced_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `opens_human` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `opens_auto` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `opens_machine` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_sequence_created_idx` ON `leads` (`sequence_id`,`created_at`);