CREATE TABLE `knowledge_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`chunks` integer NOT NULL,
	`updated_at` integer NOT NULL
);
