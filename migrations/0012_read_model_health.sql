-- Read models that stopped at an event they could not apply: which event, why, and when the runner
-- tries again. A row exists only while the read model is stopped; the runner deletes it once the
-- read model applies that event. Written by the projection runner (its own transaction, after the
-- failed page rolled back), read by /api/health, the platform admin's health page and
-- `marketplace status`, and by the web's read-your-writes waits, which do not wait for a stopped
-- read model.

CREATE TABLE read_model_health (
    view_name        text NOT NULL,           -- the read model (its runner name, e.g. 'catalogue')
    application_name text NOT NULL,           -- the event log it follows
    position         bigint NOT NULL,         -- the notification id of the event it could not apply
    topic            text NOT NULL,           -- that event's topic
    error            text NOT NULL,           -- the exception, as text (may quote event content)
    attempts         integer NOT NULL DEFAULT 1,
    first_failed_at  timestamptz NOT NULL DEFAULT now(),
    last_failed_at   timestamptz NOT NULL DEFAULT now(),
    next_retry_at    timestamptz NOT NULL,
    PRIMARY KEY (view_name, application_name)
);
