CREATE TABLE `inbound_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`from_address` text,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`kind` text NOT NULL,
	`lead_id` text,
	`disposition` text NOT NULL,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inbound_received_idx` ON `inbound_messages` (`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_lead_idx` ON `inbound_messages` (`lead_id`);--> statement-breakpoint
CREATE INDEX `inbound_from_idx` ON `inbound_messages` (`from_address`);--> statement-breakpoint
CREATE INDEX `events_message_id_idx` ON `events` (json_extract(`data`, '$.messageId')) WHERE `kind` = 'touch_sent';