-- Notifications: the inbox read model (written by projections.notifications.view, exactly once per
-- event with its tracking row: items, parties, listings, saved searches and follows, all rebuilt from
-- the log), and beside it the users' own state, which is not rebuilt from the log: what each user read,
-- the e-mail choices and the e-mail outbox (a rebuild of the inbox keeps what was read, chosen and sent).

-- Who is concerned by an aggregate, remembered from the event that created it (offer, contract, ...).
CREATE TABLE notification_parties (
    aggregate_id    uuid NOT NULL,
    role            text NOT NULL,
    organisation_id uuid NOT NULL,
    PRIMARY KEY (aggregate_id, role, organisation_id)
);

-- One notification for one user about one event (``seq`` tells apart two notices of one event).
CREATE TABLE notification_items (
    user_id     uuid NOT NULL,
    position    bigint NOT NULL,
    seq         integer NOT NULL,
    kind        text NOT NULL,
    event       text NOT NULL,
    title_zh    text NOT NULL,
    title_en    text NOT NULL,
    link        text NOT NULL,
    created_at  timestamptz NOT NULL,
    read_at     timestamptz,
    PRIMARY KEY (user_id, position, seq)
);
CREATE INDEX notification_items_unread_idx ON notification_items (user_id) WHERE read_at IS NULL;

-- What each user has read: the inbox takes ``read_at`` from here when it is rebuilt.
CREATE TABLE notification_reads (
    user_id     uuid NOT NULL,
    position    bigint NOT NULL,
    seq         integer NOT NULL,
    read_at     timestamptz NOT NULL,
    PRIMARY KEY (user_id, position, seq)
);

-- Per user and kind: 'immediately', 'digest' or 'off' (no row: immediately); the e-mails' language.
CREATE TABLE notification_preferences (
    user_id     uuid NOT NULL,
    kind        text NOT NULL,
    mode        text NOT NULL CHECK (mode IN ('immediately', 'digest', 'off')),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);
CREATE TABLE notification_languages (
    user_id     uuid PRIMARY KEY,
    language    text NOT NULL CHECK (language IN ('zh', 'en'))
);

-- The listings the inbox follows: owner and last price and status, to tell a change from a revision.
CREATE TABLE notification_listings (
    listing_id      uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    price_mode      text NOT NULL,
    asking_price    bigint,
    status          text NOT NULL
);

-- Saved searches (listings or demands, with their criteria) and followed listings, kept from the users'
-- events (domain.notifications.watching: SavedSearches.Saved/Deleted, Follow.Followed/Refollowed/Unfollowed).
CREATE TABLE notification_searches (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL,
    scope       text NOT NULL CHECK (scope IN ('listings', 'demands')),
    q           text NOT NULL DEFAULT '',
    q_latin     text NOT NULL DEFAULT '',
    q_cjk       text NOT NULL DEFAULT '',
    f_section   text,
    f_class     text,
    f_deal_type text,
    f_price_min bigint,
    f_price_max bigint,
    f_maturity  text,
    field       text NOT NULL DEFAULT '',
    want        text NOT NULL DEFAULT '',
    words       text[] NOT NULL DEFAULT '{}',
    saved_at    timestamptz NOT NULL
);
CREATE INDEX notification_searches_user_idx ON notification_searches (user_id, saved_at);
CREATE INDEX notification_searches_scope_idx ON notification_searches (scope);
CREATE TABLE notification_follows (
    user_id     uuid NOT NULL,
    listing_id  uuid NOT NULL,
    followed_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, listing_id)
);
CREATE INDEX notification_follows_listing_idx ON notification_follows (listing_id);

-- The e-mail outbox: one row per notification to send (or per day's digest entry); claimed by a
-- sender with FOR UPDATE SKIP LOCKED and marked 'sending' before the SMTP call, so none is sent twice.
CREATE TABLE notification_outbox (
    id              bigserial PRIMARY KEY,
    user_id         uuid NOT NULL,
    position        bigint NOT NULL,
    seq             integer NOT NULL,
    kind            text NOT NULL,
    digest          boolean NOT NULL,
    due_at          timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                                                                      'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (user_id, position, seq)
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_trouble_idx ON notification_outbox (created_at) WHERE status IN ('failed', 'sending');
