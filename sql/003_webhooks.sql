-- 003_webhooks: outbound webhooks. Subscriptions, the events they are told about, the outbox of deliveries (one
-- row per event and subscription) and every delivery attempt.
--
-- deliveries is the dispatcher's queue: it claims due rows with FOR UPDATE SKIP LOCKED and a lease (locked_until,
-- with next_attempt_at moved to the lease's end, so a dead dispatcher's rows become due again by themselves). The
-- partial index deliveries_due holds only rows that still have work, per subscription and ordered by
-- next_attempt_at, so a claim reads a few index entries per enabled subscription however many rows accumulate, and
-- a disabled subscription's piled-up rows are never scanned.

CREATE TABLE subscriptions (
    id                          uuid        PRIMARY KEY,
    url                         text        NOT NULL,
    -- Exact types ("booking.confirmed"), "prefix.*" wildcards, or "*".
    event_types                 text[]      NOT NULL CHECK (cardinality(event_types) > 0),
    -- Only events from these intake sources; NULL means every source (events without a source always match).
    sources                     text[],
    description                 text,
    enabled                     boolean     NOT NULL DEFAULT true,
    -- Why a disabled subscription is disabled: an operator, a 410 Gone answer, or failing for too long.
    disabled_reason             text        CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
    disabled_at                 timestamptz,
    -- whsec_<base64>; the previous secret keeps signing until previous_secret_expires_at after a rotation.
    secret                      text        NOT NULL,
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    -- Optional cap on requests per second to this subscription (per bridge process).
    max_per_second              integer     CHECK (max_per_second > 0),
    -- Time of the first failed attempt since the last successful one; NULL while the last attempt succeeded.
    failing_since               timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_url ON subscriptions (url);

-- One row per thing that happened; body holds the exact JSON bytes that are signed and sent, and id is the
-- webhook-id every delivery of it carries.
CREATE TABLE events (
    id          text        PRIMARY KEY,
    type        text        NOT NULL,
    source      text,
    intent_id   uuid,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX events_intent ON events (intent_id) WHERE intent_id IS NOT NULL;

-- The outbox: one row per (event, subscription).
CREATE TABLE deliveries (
    id                  bigserial   PRIMARY KEY,
    event_id            text        NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    subscription_id     uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    status              text        NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
    -- Attempts in the current run (claiming counts one; redeliver, recover and re-enabling start a new run).
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    locked_by           text,
    locked_until        timestamptz,
    last_attempt_at     timestamptz,
    last_status_code    integer,
    -- First 2 KiB of the last answer's body, and the last error (transport, timeout, refused destination).
    last_response_body  text,
    last_error          text,
    delivered_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_event_subscription UNIQUE (event_id, subscription_id)
);

-- Due work per subscription, oldest first.
CREATE INDEX deliveries_due ON deliveries (subscription_id, next_attempt_at) WHERE status IN ('pending', 'retrying');
-- Listing (GET /v1/deliveries?subscription=&status=) newest first, recover?since=, retention.
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_status ON deliveries (status, id);
CREATE INDEX deliveries_failed ON deliveries (subscription_id, created_at) WHERE status = 'failed';

-- One row per request made (or refused) for a delivery.
CREATE TABLE delivery_attempts (
    id             bigserial   PRIMARY KEY,
    delivery_id    bigint      NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt        integer     NOT NULL,
    started_at     timestamptz NOT NULL,
    duration_ms    integer     NOT NULL,
    outcome        text        NOT NULL
                   CHECK (outcome IN ('delivered', 'http_error', 'gone', 'throttled', 'redirect', 'timeout',
                                      'transport_error', 'refused')),
    status_code    integer,
    -- The address the destination resolved to (and was checked against the guard).
    address        text,
    response_body  text,
    error          text
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
