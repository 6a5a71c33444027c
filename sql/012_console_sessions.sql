-- 012_console_sessions: operator console sign-ins.
--
-- The cookie carries a random session id signed with a key derived from the admin token; this table keeps only
-- the id's SHA-256 digest, so reading the table does not give a usable session. A row is a session that has not
-- been signed out: sign-out deletes it, in every bridge process at once. Expired rows are deleted at each sign-in.
CREATE TABLE console_sessions (
    id_digest   text        PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
