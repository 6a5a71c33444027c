-- 009_intent_fingerprint: a public form's submission fingerprint, for catching double clicks and reloads.
--
-- The fingerprint is a digest of the source and the normalized booking request (IdempotencyKey.fingerprint). A
-- repeat within 10 minutes of submission time gets the first intent back, but only while that intent is still
-- pending or booked: a failed one never swallows a later, real request. NULL for every other intent (keys sent by
-- the client, signed webhook ids, token sources).
ALTER TABLE intents ADD COLUMN fingerprint text;

-- The repeat check reads the newest intents of one source and fingerprint.
CREATE INDEX intents_source_fingerprint ON intents (source, fingerprint, created_at DESC)
    WHERE fingerprint IS NOT NULL;
