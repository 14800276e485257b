-- Server-side sessions, revocable tokens and throttles (issue 9: abuse, sessions and tokens).

-- Web sessions (litestar's session store; web/sessions.py). Not a read model: a session is not an
-- event. ``user_version`` is the user aggregate's version at login, compared with the read model
-- "credentials" below, so that a password change or a role revocation ends the sessions begun before it.
CREATE TABLE web_sessions (
    session_id      text PRIMARY KEY,
    user_id         uuid,
    user_version    integer NOT NULL DEFAULT 0,
    data            bytea NOT NULL,
    expires_at      timestamptz
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry_idx ON web_sessions (expires_at);

-- Bearer tokens revoked before they expire (POST /api/auth/logout), by their ``jti``.
CREATE TABLE revoked_tokens (
    jti             uuid PRIMARY KEY,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry_idx ON revoked_tokens (expires_at);

-- Read model "credentials" (projections/credentials.py): per user, the lowest user version a
-- session or token must have been issued at, and whether the account has ended (deactivated, erased).
CREATE TABLE credential_marks (
    user_id         uuid PRIMARY KEY,
    valid_from      integer NOT NULL DEFAULT 0,
    ended           boolean NOT NULL DEFAULT false
);

-- Token buckets of the throttles (web/throttle.py), shared by every web process. Keys are
-- "<action>:<scope>:<keyed hash>", never an e-mail or an address in clear.
CREATE TABLE throttle_buckets (
    key             text PRIMARY KEY,
    tokens          double precision NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX throttle_buckets_updated_idx ON throttle_buckets (updated_at);

-- Addresses from which an account logged in successfully: failures of that account from other
-- addresses do not lock it out there.
CREATE TABLE throttle_known_addresses (
    account         text NOT NULL,
    address         text NOT NULL,
    seen_at         timestamptz NOT NULL,
    PRIMARY KEY (account, address)
);
