-- 004_book_started_at: when the latest booking call of an intent left, while its outcome is unknown.
--
-- A booking call whose answer was not seen may still reach HubSpot later (a slow network, a proxy retrying). The
-- pipeline waits until pipeline.reconcileDelay after this time before it reconciles, so that a late call cannot
-- land after reconciliation decided that the slot was free. NULL when the call's answer was seen.
ALTER TABLE intents ADD COLUMN book_started_at timestamptz;
