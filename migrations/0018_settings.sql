CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`key` text NOT NULL,
	`old_value` text,
	`new_value` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `settings_audit_at_idx` ON `settings_audit` (`at`);