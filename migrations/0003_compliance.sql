CREATE TABLE `site_page_counts` (
	`origin` text NOT NULL,
	`day` text NOT NULL,
	`page_class` text NOT NULL,
	`views` integer NOT NULL,
	PRIMARY KEY(`origin`, `day`, `page_class`)
);
--> statement-breakpoint
ALTER TABLE `forms` ADD `consent` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `tracking` text DEFAULT 'individual' NOT NULL;