-- Personal data (PIPL) leaves the event payloads: e-mail, display name and password hash of each
-- person live in personal_data, by user id, where a platform admin can erase them. The accounts read
-- model keeps no personal data; the view accounts_users joins it in at query time, so that every page
-- that names a person reads the personal-data store, and an erased person shows as such.

CREATE TABLE personal_data (
    user_id         uuid PRIMARY KEY,
    email           text NOT NULL,
    display_name    text NOT NULL,
    password_hash   text,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX personal_data_email_idx ON personal_data (email);
REVOKE ALL ON personal_data FROM PUBLIC;

-- How far old events (written before this migration, with personal data in them) were searched.
CREATE TABLE personal_data_scan (position bigint NOT NULL);
INSERT INTO personal_data_scan (position) VALUES (0);
REVOKE ALL ON personal_data_scan FROM PUBLIC;

-- The accounts read model without personal data: the projection writes accounts_user_records.
ALTER TABLE accounts_users RENAME TO accounts_user_records;
ALTER INDEX accounts_users_organisation_idx RENAME TO accounts_user_records_organisation_idx;
ALTER TABLE accounts_user_records DROP COLUMN email, DROP COLUMN display_name,
    ADD COLUMN active boolean NOT NULL DEFAULT true,
    ADD COLUMN erased boolean NOT NULL DEFAULT false;
ALTER TABLE accounts_user_records ALTER COLUMN active DROP DEFAULT, ALTER COLUMN erased DROP DEFAULT;

CREATE VIEW accounts_users AS
    SELECT r.id, coalesce(p.email, '') AS email,
           coalesce(p.display_name, '已删除的用户 / erased person') AS display_name,
           r.organisation_id, r.roles, r.signed_up_at, r.version, r.active, r.erased
    FROM accounts_user_records r LEFT JOIN personal_data p ON p.user_id = r.id;
