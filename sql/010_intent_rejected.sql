-- 010_intent_rejected: a machine sender's submission that is authentic but cannot be booked as sent.
--
-- Form services (Typeform, Tally, Webflow, Jotform, HubSpot workflows, JSON senders) retry or disable a webhook
-- that answers with an error, so such a submission is kept as an intent with status 'rejected' (its reason on
-- last_error, a booking.failed event sent) and answered 200. It is final from the start: never claimed, never booked.
ALTER TABLE intents DROP CONSTRAINT intents_status_check;
ALTER TABLE intents ADD CONSTRAINT intents_status_check
    CHECK (status IN ('received', 'retrying', 'booked', 'offline', 'failed', 'needs_review', 'spam', 'rejected'));
