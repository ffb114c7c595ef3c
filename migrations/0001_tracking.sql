CREATE TABLE `sites` (
	`origin` text PRIMARY KEY NOT NULL,
	`page_rules` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visitors` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`linked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visitors_lead_idx` ON `visitors` (`lead_id`);