-- 013_subscription_formats: each subscription's body format and payload filter.
--
-- format says what body a subscriber gets: the Standard Webhooks event (standard), a Slack, Microsoft Teams or
-- Google Chat message, or the subscription's own Mustache template (with content_type). The body is made from the
-- stored event at each attempt; every format is signed the same way.
--
-- filter is the payload filter as the operator wrote it (shown back by the admin API); filter_path is the same
-- conditions compiled to a jsonpath predicate (WebhookFilter.jsonPath). The outbox evaluates filter_path against
-- the event body when it writes an event's deliveries, so a filtered-out event gets no delivery row at all.
ALTER TABLE subscriptions
    ADD COLUMN format       text     NOT NULL DEFAULT 'standard'
                                     CHECK (format IN ('standard', 'slack', 'teams', 'googlechat', 'template')),
    ADD COLUMN template     text,
    ADD COLUMN content_type text,
    ADD COLUMN filter       jsonb,
    ADD COLUMN filter_path  jsonpath,
    ADD CONSTRAINT subscriptions_template_format CHECK ((format = 'template') = (template IS NOT NULL)),
    ADD CONSTRAINT subscriptions_filter_compiled CHECK ((filter IS NULL) = (filter_path IS NULL));
