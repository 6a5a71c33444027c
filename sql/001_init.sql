-- 001_init: booking intents, the HubSpot calls made for them, and HubSpot's answers.
--
-- The intents table is the pipeline's queue: workers claim due rows with FOR UPDATE SKIP LOCKED and a lease
-- (locked_until). The partial index intents_due only holds rows that still have work, so claiming stays
-- constant-time however many finished rows accumulate.

CREATE TABLE intents (
    id               uuid        PRIMARY KEY,
    source           text        NOT NULL,
    -- Idempotency-Key header, else webhook-id, else a fingerprint of the submission.
    idempotency_key  text        NOT NULL,
    status           text        NOT NULL DEFAULT 'received'
                     CHECK (status IN ('received', 'retrying', 'booked', 'offline', 'failed', 'needs_review', 'spam')),
    -- The submission as received: content type and fields (for audit and re-mapping).
    raw              jsonb       NOT NULL,
    -- The normalized booking request the pipeline works from.
    request          jsonb       NOT NULL,
    -- Kept apart for "forget me" requests; lower-cased.
    email            text,
    client_ip        text,
    user_agent       text,
    -- HubSpot booking attempts made so far (rate-limit waits do not count).
    attempts         integer     NOT NULL DEFAULT 0,
    -- True while a /book call may have reached HubSpot without its answer being seen: the next worker must
    -- reconcile before booking again.
    uncertain        boolean     NOT NULL DEFAULT false,
    locked_by        text,
    locked_until     timestamptz,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- The reason a person can act on: source of the error, HubSpot category, sub-category, message, correlation id.
    last_error       jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CONSTRAINT intents_source_idempotency_key UNIQUE (source, idempotency_key)
);

-- Due work, oldest first.
CREATE INDEX intents_due ON intents (next_attempt_at) WHERE status IN ('received', 'retrying');
-- Listing by status and age, and retention.
CREATE INDEX intents_status_created ON intents (status, created_at);
CREATE INDEX intents_finished ON intents (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX intents_email ON intents (email) WHERE email IS NOT NULL;

-- One row per HubSpot call made for an intent, whatever its outcome.
CREATE TABLE attempts (
    id              bigserial   PRIMARY KEY,
    intent_id       uuid        NOT NULL REFERENCES intents (id) ON DELETE CASCADE,
    stage           text        NOT NULL CHECK (stage IN ('enrich', 'book', 'reconcile')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    duration_ms     integer,
    outcome         text        NOT NULL
                    CHECK (outcome IN ('in_flight', 'ok', 'offline', 'permanent', 'retryable', 'rate_limited',
                                       'unauthorized', 'uncertain', 'invalid')),
    http_status     integer,
    correlation_id  text,
    error           jsonb
);
CREATE INDEX attempts_intent ON attempts (intent_id, id);

-- HubSpot's answer to a successful booking (also for the offline trap, where no meeting exists).
CREATE TABLE bookings (
    intent_id          uuid        PRIMARY KEY REFERENCES intents (id) ON DELETE CASCADE,
    slug               text        NOT NULL,
    start_time         timestamptz NOT NULL,
    end_time           timestamptz,
    calendar_event_id  text,
    contact_id         text,
    is_offline         boolean     NOT NULL,
    -- Set when an operator resolved a needs_review intent by hand.
    resolved_by        text,
    response           jsonb       NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
