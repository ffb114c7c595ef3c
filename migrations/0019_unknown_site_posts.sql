CREATE TABLE `unknown_site_overflow` (
	`origin` text PRIMARY KEY NOT NULL,
	`dropped` integer NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `unknown_site_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`form_id` text NOT NULL,
	`origin` text NOT NULL,
	`received_at` integer NOT NULL,
	`submission` text NOT NULL,
	`hold` text,
	`visitor_id` text
);
--> statement-breakpoint
CREATE INDEX `unknown_site_posts_origin_idx` ON `unknown_site_posts` (`origin`,`received_at`);--> statement-breakpoint
CREATE INDEX `unknown_site_posts_received_idx` ON `unknown_site_posts` (`received_at`);--> statement-breakpoint
ALTER TABLE `forms` ADD `validation_errors` text DEFAULT 'page' NOT NULL;