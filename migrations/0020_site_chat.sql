CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`site_origin` text NOT NULL,
	`visitor_id` text NOT NULL,
	`lead_id` text,
	`started_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`captured` integer DEFAULT false NOT NULL,
	`booked` integer DEFAULT false NOT NULL,
	`handed_off` integer DEFAULT false NOT NULL,
	`last_text` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversations_last_idx` ON `conversations` (`last_at`);--> statement-breakpoint
CREATE INDEX `conversations_lead_idx` ON `conversations` (`lead_id`);--> statement-breakpoint
ALTER TABLE `sites` ADD `chat` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `proof` text DEFAULT 'form' NOT NULL;