CREATE TABLE `routing_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL
);
