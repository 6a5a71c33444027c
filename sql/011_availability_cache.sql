-- 011_availability_cache: one availability cache per meeting link for every bridge process, the slots the bridge
-- holds or has booked, and the key that signs visitors' receipts.
--
-- availability_pages keeps HubSpot's availability page of one link for one calendar month (UTC), as HubSpot sent
-- it. A page older than availability.cacheTTL is refreshed by one process at a time (refreshing_until is its
-- claim); the others serve the old page meanwhile. The cache lives here rather than in each process so that a
-- booking check, every visitor and every process see one copy, and one HubSpot call refreshes it for all.
CREATE TABLE availability_pages (
    slug              text        NOT NULL,
    month             date        NOT NULL,
    -- HubSpot's answer (HubSpotAvailabilityPage JSON); NULL until the first refresh finished.
    page              text,
    fetched_at        timestamptz,
    refreshing_until  timestamptz,
    PRIMARY KEY (slug, month)
);

-- A slot is held from the moment its booking call leaves; once booked the hold stays until a page fetched after
-- the booking shows it gone. Slot answers subtract holds, so a booked slot disappears at once in every process.
CREATE TABLE availability_holds (
    intent_id  uuid        PRIMARY KEY REFERENCES intents (id) ON DELETE CASCADE,
    slug       text        NOT NULL,
    start_ms   bigint      NOT NULL,
    end_ms     bigint      NOT NULL,
    booked     boolean     NOT NULL DEFAULT false,
    held_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX availability_holds_slug ON availability_holds (slug, start_ms);

-- The HMAC key of visitor receipts (VisitorReceipt): one per database, so every process checks every receipt.
CREATE TABLE receipt_key (
    id   integer PRIMARY KEY CHECK (id = 1),
    key  text    NOT NULL DEFAULT gen_random_uuid()::text || gen_random_uuid()::text
);
INSERT INTO receipt_key (id) VALUES (1);
