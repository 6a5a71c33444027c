-- 015_attempt_evidence: what a reconciliation found in HubSpot's CRM.
--
-- After a booking call whose answer was not seen, the bridge asks HubSpot's CRM for a meeting of the booker's
-- contact at the requested start. The reconcile attempt keeps what it searched for and what it found (meeting id,
-- contact id, calendar event id, start, creation time), or that nothing matched, so a person reading the intent's
-- history sees the evidence the bridge acted on. NULL for every other attempt.
ALTER TABLE attempts ADD COLUMN evidence jsonb;
