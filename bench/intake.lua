-- wrk script for bench/intake.sh: posts realistic, distinct form submissions (urlencoded, as a browser form sends
-- them) to POST /v1/intake/bench and counts the answers by status.
--
-- Each request has a new e-mail address and its own Idempotency-Key, so every accepted post is a new intent.
-- DELAY_MS (optional) spaces each connection's requests, to offer a lower, steady rate.

local counter = 0
local next_thread_id = 0
local threads = {}
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
-- Keys and addresses must differ between wrk runs too (warm-up, full rate, half rate).
local run_id = os.getenv("RUN_ID") or tostring(os.time())

-- thread_id is a global of each thread's own Lua state, set here from the main state.
function setup(thread)
    thread:set("thread_id", next_thread_id)
    next_thread_id = next_thread_id + 1
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Origin"] = "https://www.example.org"
    wrk.headers["Accept"] = "application/json"
    wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench"
end

local days = { "2027-01-12", "2027-01-13", "2027-01-14", "2027-01-15", "2027-01-18" }
local times = { "09:00", "09:30", "10:00", "10:30", "11:00", "14:00", "14:30", "15:00" }

function request()
    counter = counter + 1
    local n = run_id .. "-" .. thread_id .. "-" .. counter
    local body = "email=visitor" .. n .. "%40example.org"
        .. "&name=Ada+Lovelace+" .. n
        .. "&date=" .. days[(counter % #days) + 1]
        .. "&time=" .. times[(counter % #times) + 1]
        .. "&tz=Europe%2FBerlin"
        .. "&company=Analytical+Engines+Ltd"
        .. "&notes=Hello%2C+I+would+like+to+talk+about+the+difference+engine+and+a+possible+pilot."
        .. "&marketing_ok=on"
        .. "&company_website="
    wrk.headers["Idempotency-Key"] = "bench-" .. n
    return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function delay()
    return delay_ms
end

function done(summary, latency, requests)
    local totals = {}
    for _, thread in ipairs(threads) do
        local s = thread:get("statuses")
        for status, count in pairs(s) do
            totals[status] = (totals[status] or 0) + count
        end
    end
    local seconds = summary.duration / 1000000
    local accepted = totals[202] or 0
    io.write(string.format("RESULT accepted=%d seconds=%.3f accepted_rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
        accepted, seconds, accepted / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
    for status, count in pairs(totals) do
        io.write(string.format("STATUS %d %d\n", status, count))
    end
end
