CREATE TABLE `lead_daily` (
	`day` integer NOT NULL,
	`sequence_id` text NOT NULL,
	`leads` integer DEFAULT 0 NOT NULL,
	`enrolled` integer DEFAULT 0 NOT NULL,
	`contacted` integer DEFAULT 0 NOT NULL,
	`opened` integer DEFAULT 0 NOT NULL,
	`clicked` integer DEFAULT 0 NOT NULL,
	`replied` integer DEFAULT 0 NOT NULL,
	`booked` integer DEFAULT 0 NOT NULL,
	`unsubscribed` integer DEFAULT 0 NOT NULL,
	`bounced` integer DEFAULT 0 NOT NULL,
	`opens_human` integer DEFAULT 0 NOT NULL,
	`opens_auto` integer DEFAULT 0 NOT NULL,
	`opens_machine` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `sequence_id`)
);
--> statement-breakpoint
CREATE TABLE `touch_daily` (
	`day` integer NOT NULL,
	`sequence_id` text NOT NULL,
	`step_id` text NOT NULL,
	`channel` text NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`opened` integer DEFAULT 0 NOT NULL,
	`clicked` integer DEFAULT 0 NOT NULL,
	`replied` integer DEFAULT 0 NOT NULL,
	`ai_draft` integer DEFAULT 0 NOT NULL,
	`ai_draft_model` integer DEFAULT 0 NOT NULL,
	`edited_draft` integer DEFAULT 0 NOT NULL,
	`template` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `sequence_id`, `step_id`, `channel`)
);
