CREATE TABLE `hand_offs` (
	`lead_id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`triggers` text NOT NULL,
	`summary` text NOT NULL,
	`next_action` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `hand_offs_at_idx` ON `hand_offs` (`at`);--> statement-breakpoint
CREATE TABLE `login_failures` (
	`client` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_at` integer NOT NULL
);
