-- 002_hubspot_rate_budget: one HubSpot call budget per account, shared by every bridge process on this database.
--
-- hubspot_rate_take() decides and records a call in one round trip, under a row lock on the account;
-- hubspot_rate_finish() records the call's end and what HubSpot's answer said. The same rules, as a Swift value
-- type with unit tests, are HubSpotRateWindow (Sources/BookingBridge/HubSpot/HubSpotRateWindow.swift).
--
-- A call counts against the rolling window from before it is sent until a window after its answer: HubSpot
-- counts a request when it arrives, somewhere in between, so no window of HubSpot's can hold more calls than
-- ours did. An unfinished call counts for the longest call time plus a window, so a crashed process frees its
-- calls by itself. Times come from clock_timestamp() of this server, never from the bridge processes.

CREATE TABLE hubspot_rate_accounts (
    account               text        PRIMARY KEY,
    -- Set by a 429 (or the daily allowance used up): no call until then.
    paused_until          timestamptz,
    pause_policy          text,
    -- Calls taken on day (UTC).
    day                   date        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    day_count             bigint      NOT NULL DEFAULT 0,
    -- Calls HubSpot reported beyond ours (X-HubSpot-RateLimit-Remaining lower than expected), lowering the
    -- limit until external_until.
    external_calls        integer     NOT NULL DEFAULT 0,
    external_until        timestamptz,
    -- X-HubSpot-RateLimit-Interval-Milliseconds when longer than the configured window.
    reported_window_ms    bigint
);

CREATE TABLE hubspot_rate_calls (
    id            bigserial   PRIMARY KEY,
    account       text        NOT NULL REFERENCES hubspot_rate_accounts (account) ON DELETE CASCADE,
    taken_at      timestamptz NOT NULL,
    finished_at   timestamptz,
    -- Until when the call counts against the window.
    counts_until  timestamptz NOT NULL
);
CREATE INDEX hubspot_rate_calls_account ON hubspot_rate_calls (account, counts_until);

-- Takes one call from p_account's budget. Returns granted with the call's id and the calls still free, or the
-- milliseconds to wait and the exhausted policy ('TEN_SECONDLY_ROLLING' or 'DAILY').
CREATE FUNCTION hubspot_rate_take(
    p_account      text,
    p_limit        bigint,
    p_window_ms    bigint,
    p_daily_limit  bigint,
    p_max_call_ms  bigint,
    p_margin_ms    bigint
) RETURNS TABLE (granted boolean, call_id bigint, wait_ms bigint, remaining bigint, policy text)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_account   hubspot_rate_accounts%ROWTYPE;
    v_now       timestamptz;
    v_today     date;
    v_window    interval;
    v_external  integer := 0;
    v_limit     bigint;
    v_live      bigint;
    v_until     timestamptz;
    v_id        bigint;
BEGIN
    INSERT INTO hubspot_rate_accounts (account) VALUES (p_account) ON CONFLICT (account) DO NOTHING;
    SELECT * INTO v_account FROM hubspot_rate_accounts WHERE account = p_account FOR UPDATE;
    -- Read the clock after the lock, so that calls of one account are stamped in the order they are granted.
    v_now := clock_timestamp();

    IF v_account.paused_until IS NOT NULL AND v_account.paused_until > v_now THEN
        RETURN QUERY SELECT false, NULL::bigint,
            ceil(extract(epoch FROM v_account.paused_until - v_now) * 1000)::bigint, 0::bigint,
            coalesce(v_account.pause_policy, 'TEN_SECONDLY_ROLLING');
        RETURN;
    END IF;

    v_today := (v_now AT TIME ZONE 'UTC')::date;
    IF v_account.day <> v_today THEN
        v_account.day := v_today;
        v_account.day_count := 0;
    END IF;
    IF v_account.day_count >= p_daily_limit THEN
        RETURN QUERY SELECT false, NULL::bigint,
            ceil(extract(epoch FROM ((v_today + 1)::timestamp AT TIME ZONE 'UTC') - v_now) * 1000)::bigint, 0::bigint,
            'DAILY'::text;
        RETURN;
    END IF;

    v_window := (greatest(p_window_ms, coalesce(v_account.reported_window_ms, 0)) + p_margin_ms)
        * interval '1 millisecond';
    -- Rows are kept a minute after they stop counting (hubspot_rate_finish looks a second back).
    DELETE FROM hubspot_rate_calls WHERE account = p_account AND counts_until <= v_now - interval '1 minute';
    SELECT count(*) INTO v_live FROM hubspot_rate_calls WHERE account = p_account AND counts_until > v_now;
    IF v_account.external_until IS NOT NULL AND v_account.external_until > v_now THEN
        v_external := v_account.external_calls;
    END IF;
    v_limit := p_limit - v_external;

    IF v_live >= greatest(v_limit, 0) THEN
        -- The earliest moment enough calls could stop counting; an unfinished call not before a window after
        -- it was taken.
        IF v_limit > 0 THEN
            SELECT r INTO v_until FROM (
                SELECT CASE WHEN finished_at IS NULL THEN taken_at + v_window ELSE counts_until END AS r
                FROM hubspot_rate_calls WHERE account = p_account AND counts_until > v_now
                ORDER BY 1 OFFSET (v_live - v_limit) LIMIT 1
            ) AS releases;
        END IF;
        IF v_external > 0 AND (v_until IS NULL OR v_account.external_until < v_until) THEN
            v_until := v_account.external_until;
        END IF;
        RETURN QUERY SELECT false, NULL::bigint,
            greatest(ceil(extract(epoch FROM v_until - v_now) * 1000)::bigint, 10), 0::bigint,
            'TEN_SECONDLY_ROLLING'::text;
        RETURN;
    END IF;

    INSERT INTO hubspot_rate_calls (account, taken_at, counts_until)
    VALUES (p_account, v_now, v_now + p_max_call_ms * interval '1 millisecond' + v_window)
    RETURNING id INTO v_id;
    UPDATE hubspot_rate_accounts SET day = v_account.day, day_count = v_account.day_count + 1
    WHERE account = p_account;
    RETURN QUERY SELECT true, v_id, 0::bigint, v_limit - v_live - 1, NULL::text;
END;
$fn$;

-- Ends call p_call_id: it counts until a window after now, or not at all when it was never sent
-- (p_sent = false). p_remaining and p_interval_ms are HubSpot's X-HubSpot-RateLimit-Remaining and
-- -Interval-Milliseconds (NULL when absent); p_pause_ms and p_pause_policy pause the whole account (a 429).
CREATE FUNCTION hubspot_rate_finish(
    p_call_id       bigint,
    p_sent          boolean,
    p_limit         bigint,
    p_window_ms     bigint,
    p_margin_ms     bigint,
    p_remaining     bigint,
    p_interval_ms   bigint,
    p_pause_ms      bigint,
    p_pause_policy  text
) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_now       timestamptz := clock_timestamp();
    v_account   text;
    v_reported  bigint;
    v_live      bigint;
    v_external  bigint;
BEGIN
    IF p_sent THEN
        SELECT a.account, a.reported_window_ms INTO v_account, v_reported
        FROM hubspot_rate_calls c JOIN hubspot_rate_accounts a USING (account) WHERE c.id = p_call_id;
        UPDATE hubspot_rate_calls
        SET finished_at = v_now,
            counts_until = v_now + (greatest(p_window_ms, coalesce(v_reported, 0)) + p_margin_ms)
                * interval '1 millisecond'
        WHERE id = p_call_id;
    ELSE
        DELETE FROM hubspot_rate_calls WHERE id = p_call_id RETURNING account INTO v_account;
    END IF;
    IF v_account IS NULL THEN
        RETURN;
    END IF;

    IF p_interval_ms IS NOT NULL AND p_interval_ms > p_window_ms THEN
        UPDATE hubspot_rate_accounts SET reported_window_ms = p_interval_ms WHERE account = v_account;
    END IF;

    IF p_remaining IS NOT NULL THEN
        -- HubSpot counted a moment ago: calls that stopped counting within the last second still count here.
        SELECT count(*) INTO v_live FROM hubspot_rate_calls
        WHERE account = v_account AND counts_until > v_now - interval '1 second';
        v_external := (p_limit - v_live) - p_remaining;
        IF v_external > 0 THEN
            UPDATE hubspot_rate_accounts
            SET external_calls = CASE WHEN external_until > v_now THEN greatest(external_calls, v_external)
                                      ELSE v_external END,
                external_until = v_now + coalesce(p_interval_ms, p_window_ms) * interval '1 millisecond'
            WHERE account = v_account;
        END IF;
    END IF;

    IF p_pause_ms IS NOT NULL THEN
        UPDATE hubspot_rate_accounts
        SET paused_until = v_now + p_pause_ms * interval '1 millisecond',
            pause_policy = coalesce(p_pause_policy, 'TEN_SECONDLY_ROLLING')
        WHERE account = v_account
          AND (paused_until IS NULL OR paused_until < v_now + p_pause_ms * interval '1 millisecond');
    END IF;
END;
$fn$;
