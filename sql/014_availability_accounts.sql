-- 014_availability_accounts: the availability cache and the slots held, per HubSpot account.
--
-- Two HubSpot accounts (hubspotAccounts) may each have a meeting link with the same slug, and they are different
-- links with different availability: pages and holds are keyed by the account (its rate-budget key,
-- HubSpotClient.accountKey) as well as the slug. Pages cached before this migration cannot be told apart by account
-- and are dropped (the next read refreshes them); holds of that time keep an empty account and stop hiding their
-- slots, which HubSpot's own availability shows taken from the next refresh on.
DELETE FROM availability_pages;
ALTER TABLE availability_pages
    ADD COLUMN account text NOT NULL DEFAULT '',
    DROP CONSTRAINT availability_pages_pkey,
    ADD PRIMARY KEY (account, slug, month);

ALTER TABLE availability_holds ADD COLUMN account text NOT NULL DEFAULT '';
DROP INDEX availability_holds_slug;
CREATE INDEX availability_holds_account_slug ON availability_holds (account, slug, start_ms);
