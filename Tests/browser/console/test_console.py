"""The operator console in headless Chromium: each test signs in, does what an operator does, and saves
screenshots at 1280 and 390 px wide (under the output folder)."""

import urllib.error
import urllib.request

from conftest import ADMIN_TOKEN, saturday_start, screenshots, sign_in, wait_until
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def test_sign_in_and_see_a_booked_intents_timeline(env, browser):
    intent_id = env.submit()
    booked = env.wait_status(intent_id, {"booked"})
    browser.get(env.base + "/console")
    assert "/console/sign-in" in browser.current_url
    sign_in(browser, env, token="wrong-token")
    assert "That token is not right." in text(browser)
    sign_in(browser, env)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Overview"
    assert ADMIN_TOKEN not in browser.page_source
    assert "Funnel" in text(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.booked"), "the chart shows the booked intent"
    screenshots(browser, "overview")
    browser.get(env.base + f"/console/intents/{intent_id}")
    page = text(browser)
    assert "Received" in page
    assert "HubSpot book" in page
    assert booked["booking"]["calendarEventId"] in page
    assert "booking.confirmed" in page
    screenshots(browser, "booked-timeline")


def test_resolve_a_needs_review_intent_and_its_booking_confirmed_is_delivered(env, browser):
    env.sandbox.faults(dropAfterBookRate=1.0)
    try:
        intent_id = env.submit(first_name="Review")
        env.wait_status(intent_id, {"needs_review"}, timeout=90)
    finally:
        env.sandbox.faults(dropAfterBookRate=0)
    sign_in(browser, env)
    browser.get(env.base + "/console/review")
    card = browser.find_element(By.ID, f"intent-{intent_id}")
    assert "book" in card.text
    screenshots(browser, "needs-review")
    card = browser.find_element(By.ID, f"intent-{intent_id}")
    card.find_element(By.NAME, "calendarEventId").send_keys("evt-found-in-hubspot")
    card.find_element(By.NAME, "contactId").send_keys("contact-42")
    card.find_element(By.XPATH, ".//button[text()='Resolve as booked']").click()
    wait_until(lambda: f"/console/intents/{intent_id}" in browser.current_url, 10, 0.1)
    assert "The intent is resolved" in text(browser)
    assert env.admin(f"/v1/intents/{intent_id}")["status"] == "booked"

    def confirmed_delivered():
        browser.refresh()
        rows = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
        return any("booking.confirmed" in r and "delivered" in r for r in rows)
    assert wait_until(confirmed_delivered, 30, 0.5), text(browser)
    records, _ = env.receiver.snapshot()
    assert any(path == env.subscription_path and etype == "booking.confirmed" and ok
               for path, _, etype, ok in records)
    assert "evt-found-in-hubspot" in text(browser)
    screenshots(browser, "resolved-timeline")


def test_bulk_retry_failed_intents_after_a_dry_run(env, browser):
    ids = [env.submit(first_name="Saturday", start_ms=saturday_start() + i * 3_600_000) for i in range(2)]
    failed = [env.wait_status(i, {"failed"}) for i in ids]
    reason = failed[0]["lastError"].get("subCategory") or failed[0]["lastError"].get("category") \
        or failed[0]["lastError"]["message"]
    sign_in(browser, env)
    browser.get(env.base + "/console/retry")
    Select(browser.find_element(By.NAME, "status")).select_by_value("failed")
    browser.find_element(By.NAME, "reason").send_keys(reason)
    browser.find_element(By.NAME, "source").send_keys("res")
    browser.find_element(By.XPATH, "//button[starts-with(text(), 'Count matching')]").click()
    matched = int(browser.find_element(By.ID, "matched").text)
    assert matched >= 2
    for i in ids:
        assert env.admin(f"/v1/intents/{i}")["status"] == "failed", "a dry run changes nothing"
    screenshots(browser, "bulk-retry-dry-run")
    browser.find_element(By.XPATH, "//button[starts-with(text(), 'Requeue')]").click()
    browser.switch_to.alert.accept()
    wait_until(lambda: "back in the queue" in text(browser), 10, 0.1)
    assert f"{matched} of {matched} matching intent(s) are back in the queue." in text(browser)
    for before, i in zip(failed, ids):
        after = env.admin(f"/v1/intents/{i}")
        assert after["status"] == "retrying" or after["updatedAt"] > before["updatedAt"], after
    screenshots(browser, "bulk-retry-done")


def test_rotate_a_secret(env, browser):
    subscription = env.admin("/v1/subscriptions")["data"][0]
    before = env.admin(f"/v1/subscriptions/{subscription['id']}")["secret"]
    sign_in(browser, env)
    browser.get(env.base + "/console/subscriptions")
    assert before not in browser.page_source, "the list never shows a secret"
    screenshots(browser, "subscriptions")
    browser.find_element(By.LINK_TEXT, subscription["url"]).click()
    assert before not in browser.page_source
    screenshots(browser, "subscription")
    browser.find_element(By.XPATH, "//button[text()='Rotate secret']").click()
    browser.switch_to.alert.accept()
    wait_until(lambda: browser.find_elements(By.ID, "secret"), 10, 0.1)
    shown = browser.find_element(By.ID, "secret").text
    assert shown.startswith("whsec_") and shown != before
    assert env.admin(f"/v1/subscriptions/{subscription['id']}")["secret"] == shown
    screenshots(browser, "secret-rotated")
    browser.get(env.base + f"/console/subscriptions/{subscription['id']}")
    assert shown not in browser.page_source, "the secret is shown once"


def test_a_submitted_name_is_shown_as_text_and_runs_nothing(env, browser):
    name = "<img src=x onerror=alert(1)>"
    intent_id = env.submit(first_name=name)
    sign_in(browser, env)
    for path in ("/console/intents", f"/console/intents/{intent_id}"):
        browser.get(env.base + path)
        assert name in text(browser), path
        assert not browser.find_elements(By.CSS_SELECTOR, "main img, main [onerror]"), path
        try:
            browser.switch_to.alert
            raise AssertionError(f"{path}: an alert opened")
        except NoAlertPresentException:
            pass
    screenshots(browser, "escaped-name")


def test_a_post_without_csrf_or_from_another_origin_is_refused(env, browser):
    intent_id = env.submit(first_name="Refused", start_ms=saturday_start() + 7 * 86_400_000)
    env.wait_status(intent_id, {"failed"})
    sign_in(browser, env)
    browser.get(env.base + f"/console/intents/{intent_id}")
    csrf = browser.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    path = f"/console/intents/{intent_id}/retry"

    def post(form, origin):
        data = "&".join(f"{k}={v}" for k, v in form.items()).encode()
        request = urllib.request.Request(env.base + path, data=data, method="POST", headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", **({"Origin": origin} if origin else {})})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert post({}, env.base) == 403
    assert post({"csrf": "forged"}, env.base) == 403
    assert post({"csrf": csrf}, "https://evil.example") == 403
    assert post({"csrf": csrf}, None) == 403
    # The same from the page itself, without the token: the browser sends the cookie and its Origin.
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: "POST", body: new URLSearchParams({}), credentials: "same-origin"})
          .then(r => done(r.status), () => done(-1));
    """, path)
    assert status == 403
    assert env.admin(f"/v1/intents/{intent_id}")["status"] == "failed", "nothing was done"
    browser.get(env.base + path)  # a GET of an action is no action either
    assert env.admin(f"/v1/intents/{intent_id}")["status"] == "failed"
    browser.get(env.base + f"/console/intents/{intent_id}")
    screenshots(browser, "refused-intent")
    # With both, the same post is the admin API's retry.
    before = env.admin(f"/v1/intents/{intent_id}")
    assert post({"csrf": csrf}, env.base) == 200  # (urllib follows the 303 to the intent's page)
    after = env.admin(f"/v1/intents/{intent_id}")
    assert after["status"] == "retrying" or after["updatedAt"] > before["updatedAt"], after
