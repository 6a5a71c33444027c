-- 008_sealed_secrets: secrets at rest are sealed with AES-GCM under BRIDGE_SECRET_KEY, and the OAuth refresh token
-- HubSpot hands out is kept here so that every bridge process, and a restart, use the current one.
--
-- A sealed value is text: sealed:v1:<key id>:<base64 of nonce, ciphertext and tag>. SQL cannot know the key, so
-- this migration seals nothing: a bridge with BRIDGE_SECRET_KEY seals the values left in the clear at start-up,
-- right after the migrations, and `bookingbridge rotate-key` moves them to a new key.

COMMENT ON COLUMN subscriptions.secret IS
    'whsec_<base64>, sealed (sealed:v1:<key id>:...) once BRIDGE_SECRET_KEY is set';
COMMENT ON COLUMN subscriptions.previous_secret IS
    'the secret before the last rotation, sealed like secret';

-- One row per HubSpot account (the rate budget's account key) that refreshes OAuth tokens.
CREATE TABLE hubspot_oauth_tokens (
    account             text        PRIMARY KEY,
    -- SHA-256 (hex) of the configured HUBSPOT_REFRESH_TOKEN this row descends from: a newly configured token (after
    -- authorizing the app again) does not match and replaces the stored chain.
    configured_sha256   text        NOT NULL,
    -- The refresh token to use next, sealed like subscriptions.secret.
    refresh_token       text        NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
