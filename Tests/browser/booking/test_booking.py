"""The hosted booking page (`GET /book/{source}`) in headless Chromium, as a visitor uses it: each test books a
meeting (with the mouse, after a slot was taken meanwhile, without JavaScript, with the keyboard only, with the
link's own form fields and consents, in German, and embedded in another site with embed.js), checks the booking the
HubSpot sandbox made, and saves screenshots at 1280 and 320 px wide (under the output folder).

Every test books a start of a day after today (in the zone the page shows), so that no start it picks can reach the
link's 15-minute minimum notice while the test runs."""

import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import EMBED_SOURCE, PAGE, screenshots
from common import wait_until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def email(kind):
    return f"{kind}-{random.randrange(10**9)}@booking.bookingbridge.dev"


def millis(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def radios(driver):
    return driver.find_elements(By.CSS_SELECTOR, ".bb-times input[type=radio]")


def later_day(driver):
    """The value of the day list's first day after today in the zone the page shows (the days come in order)."""
    today = driver.execute_script(
        "return new Intl.DateTimeFormat('en-GB', {timeZone: document.getElementById('bb-zone').value, "
        "year: 'numeric', month: '2-digit', day: '2-digit'}).format(new Date())")
    digits = re.findall(r"\d+", today)
    days = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, "bb-day")).options]
    later = [d for d in days if re.findall(r"\d+", d) != digits]
    assert later, f"no open day after today ({today}): {days}"
    return later[0]


def open_page(driver, env, source="res", title=PAGE["title"], lang="en", pick_day=True):
    """Opens the page, waits for its script to show the open starts, and (unless told not to) picks the first day
    after today; returns that day's start buttons."""
    driver.get(env.base + "/book/" + source)
    assert driver.find_element(By.TAG_NAME, "h1").text == title
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert wait_until(lambda: radios(driver), 20, 0.2), text(driver)
    if pick_day:
        Select(driver.find_element(By.ID, "bb-day")).select_by_value(later_day(driver))
    return radios(driver)


def fill(driver, first, last, address):
    driver.find_element(By.ID, "bb-f-firstName").send_keys(first)
    driver.find_element(By.ID, "bb-f-lastName").send_keys(last)
    driver.find_element(By.ID, "bb-f-email").send_keys(address)


def booking_of(env, address):
    """The sandbox's booking for `address`, once it exists."""
    found = wait_until(lambda: [b for b in env.sandbox.bookings() if b["email"] == address], 30, 0.3)
    assert found, f"the sandbox has no booking for {address}"
    assert len(found) == 1, f"booked {len(found)} times: {found}"
    return found[0]


def wait_booked(driver):
    assert wait_until(lambda: driver.find_elements(By.ID, "bb-booked"), 60, 0.3), text(driver)
    return driver.find_element(By.ID, "bb-status").text


def test_pick_the_first_slot_fill_the_fields_book_and_see_it_confirmed(env, browser):
    # The visitor is in New York; the source's zone is Europe/London: the page shows the visitor's times.
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    radios = open_page(browser, env)
    assert "Intro call with Jane" in browser.title
    assert browser.find_element(By.ID, "bb-zone").get_attribute("value") == "America/New_York"
    local = datetime.fromtimestamp(millis(radios[0].get_attribute("value")) / 1000, ZoneInfo("America/New_York"))
    label = browser.find_element(By.CSS_SELECTOR, f"label[for='{radios[0].get_attribute('id')}']")
    assert label.text == local.strftime("%H:%M")
    assert PAGE["intro"] in text(browser)
    screenshots(browser, "page")
    start = radios[0].get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{radios[0].get_attribute('id')}']").click()
    assert radios[0].is_selected()
    address = email("mouse")
    fill(browser, "Grace", "Hopper <b>&", address)
    screenshots(browser, "filled")
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    shown = wait_booked(browser)
    assert "booked" in shown.lower()
    assert f"{local.day} {local.strftime('%B')} at {local.strftime('%H:%M')} (America/New York)" in shown, shown
    assert browser.find_element(By.CSS_SELECTOR, "#bb-status a[download]").get_attribute("href").startswith(
        env.base + "/book/res/ics/")
    assert not browser.find_element(By.ID, "bb-form").is_displayed()
    screenshots(browser, "booked")
    booking = booking_of(env, address)
    assert booking["startMillis"] == millis(start)
    assert booking["firstName"] == "Grace" and booking["lastName"] == "Hopper <b>&"
    assert booking["durationMillis"] == 15 * 60_000


def test_a_slot_taken_meanwhile_shows_alternatives_and_one_click_books_one(env, browser):
    radios = open_page(browser, env)
    start = radios[0].get_attribute("value")
    # Someone else books the slot after the page showed it.
    other = env.submit(first_name="Early", start_ms=millis(start))
    env.wait_status(other, {"booked"})
    browser.find_element(By.CSS_SELECTOR, f"label[for='{radios[0].get_attribute('id')}']").click()
    address = email("late")
    fill(browser, "Late", "Comer", address)
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    assert wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "#bb-status button.bb-alt"), 60, 0.3), \
        text(browser)
    alternatives = browser.find_elements(By.CSS_SELECTOR, "#bb-status button.bb-alt")
    offered = [b.get_attribute("data-start") for b in alternatives]
    assert start not in offered
    assert browser.switch_to.active_element == alternatives[0], "the first alternative has the focus"
    screenshots(browser, "taken-alternatives")
    alternatives[0].click()
    wait_booked(browser)
    screenshots(browser, "taken-then-booked")
    booking = booking_of(env, address)
    assert booking["startMillis"] == millis(offered[0])
    assert len([b for b in env.sandbox.bookings() if b["startMillis"] == millis(start)]) == 1


def test_without_javascript_the_form_books_through_the_303_result_page(env, plain_browser):
    driver = plain_browser
    driver.get(env.base + "/book/res")
    radios = driver.find_elements(By.CSS_SELECTOR, "#bb-slots input[type=radio]")
    assert radios, text(driver)
    assert not driver.find_elements(By.ID, "bb-zone"), "the script did not run"
    screenshots(driver, "nojs-page")
    # Without a script the times are the source's (Europe/London), written as the script writes them.
    london = ZoneInfo("Europe/London")
    today = datetime.now(london).date()
    radio = next(r for r in radios
                 if datetime.fromtimestamp(millis(r.get_attribute("value")) / 1000, london).date() > today)
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']")
    local = datetime.fromtimestamp(millis(radio.get_attribute("value")) / 1000, london)
    assert label.text == local.strftime("%H:%M")
    assert "Europe/London" in text(driver)
    start = radio.get_attribute("value")
    label.click()
    assert radio.is_selected()
    address = email("nojs")
    fill(driver, "Plain", "Form", address)
    driver.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    # The form posts to /v1/intake/res; landing on the result page is the 303's doing.
    assert wait_until(lambda: "/book/res/done/" in driver.current_url, 20, 0.2), driver.current_url
    # The result page reloads itself until the meeting is booked.
    assert wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".bb-ok"), 60, 0.5), text(driver)
    assert driver.find_element(By.CSS_SELECTOR, "a[download]").get_attribute("href").startswith(
        env.base + "/book/res/ics/")
    assert f"{local.strftime('%H:%M')} (Europe/London)" in text(driver)
    screenshots(driver, "nojs-booked")
    assert booking_of(env, address)["startMillis"] == millis(start)


def test_keyboard_only_booking_with_visible_focus(env, browser):
    open_page(browser, env, pick_day=False)
    keys = ActionChains(browser)

    def tab_to(predicate, limit=60):
        for _ in range(limit):
            keys.send_keys(Keys.TAB).perform()
            if predicate(browser.switch_to.active_element):
                return browser.switch_to.active_element
        raise AssertionError("Tab never reached the element")

    # The day list takes the day's name typed on the keyboard, as any <select> does.
    day = later_day(browser)
    name = next(o.text for o in Select(browser.find_element(By.ID, "bb-day")).options
                if o.get_attribute("value") == day)
    tab_to(lambda e: e.get_attribute("id") == "bb-day")
    keys.send_keys(name).perform()
    assert wait_until(lambda: browser.find_element(By.ID, "bb-day").get_attribute("value") == day, 10, 0.2)
    start = radios(browser)[0].get_attribute("value")
    first = tab_to(lambda e: e.get_attribute("type") == "radio")
    assert first.get_attribute("value") == start
    outline = browser.execute_script(
        "return getComputedStyle(document.querySelector(`label[for='${arguments[0]}']`)).outlineStyle",
        first.get_attribute("id"))
    assert outline not in ("", "none"), "the focused time shows no focus ring"
    keys.send_keys(Keys.SPACE).perform()
    assert first.is_selected()
    screenshots(browser, "keyboard-focus")
    address = email("keys")
    tab_to(lambda e: e.get_attribute("id") == "bb-f-firstName")
    keys.send_keys("Key").perform()
    keys.send_keys(Keys.TAB, "Board").perform()
    keys.send_keys(Keys.TAB, address).perform()
    submit = tab_to(lambda e: e.tag_name == "button", limit=10)
    assert "bb-submit" in submit.get_attribute("class")
    keys.send_keys(Keys.ENTER).perform()
    wait_booked(browser)
    assert browser.switch_to.active_element.get_attribute("id") == "bb-status", "the result has the focus"
    screenshots(browser, "keyboard-booked")
    booking = booking_of(env, address)
    assert booking["startMillis"] == millis(start)
    assert (booking["firstName"], booking["lastName"]) == ("Key", "Board")


def test_the_links_own_form_fields_and_consents_reach_the_booking(env, browser):
    # support/onboarding asks for a required account id, an optional topic (a radio choice; HubSpot hides one
    # option), a required communication consent, and consent to processing by checkbox.
    times = open_page(browser, env, source="onb", title="Book a meeting")
    account = browser.find_element(By.ID, "bb-f-formField.account_id")
    assert account.get_attribute("required") == "true"
    label = browser.find_element(By.CSS_SELECTOR, "label[for='bb-f-formField.account_id']").text
    assert label == "Account ID (required)"
    topics = browser.find_elements(By.CSS_SELECTOR, "input[type=radio][name='formField.topic']")
    assert [t.get_attribute("value") for t in topics] == ["setup", "billing", "api"]
    legend = browser.find_element(By.CSS_SELECTOR, "#bb-f-formField\\.topic legend").text
    assert legend == "Topic"
    shown = text(browser)
    assert "Retired plan" not in shown
    for words in ("Please tick the boxes you agree to:", "See our privacy policy.",
                  "I agree to receive onboarding e-mails (required)",
                  "I agree to allow this company to store and process my personal data. (required)"):
        assert words in shown, words
    consent = browser.find_element(By.CSS_SELECTOR, "input[name='consent.7654321']")
    processing = browser.find_element(By.CSS_SELECTOR, "input[name='consent.processing']")
    assert consent.get_attribute("required") == "true" and processing.get_attribute("required") == "true"

    start = times[0].get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{times[0].get_attribute('id')}']").click()
    address = email("fields")
    fill(browser, "Form", "Fields", address)
    account.send_keys("ACME-42 <&>")
    browser.find_element(By.CSS_SELECTOR, "label[for='bb-f-formField.topic-1']").click()
    assert topics[1].is_selected()
    # The browser holds the form back while a required consent is not given.
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    assert not browser.find_elements(By.ID, "bb-booked")
    assert browser.execute_script("return document.getElementById('bb-form').checkValidity()") is False
    assert not [b for b in env.sandbox.bookings() if b["email"] == address]
    browser.find_element(By.CSS_SELECTOR, "label[for='bb-consent-0']").click()
    browser.find_element(By.CSS_SELECTOR, "label[for='bb-consent-processing']").click()
    screenshots(browser, "fields-filled")
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    wait_booked(browser)
    screenshots(browser, "fields-booked")
    booking = booking_of(env, address)
    assert booking["startMillis"] == millis(start)
    assert booking["durationMillis"] == 45 * 60_000
    assert booking["formFields"] == {"account_id": "ACME-42 <&>", "topic": "billing"}
    assert booking["legalConsentResponses"] == {"7654321": True}


GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                 "November", "Dezember"]
GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def test_a_german_source_books_in_german_in_the_picked_time_zone(env, browser):
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    open_page(browser, env, source="de", title="Termin buchen", lang="de", pick_day=False)
    # The visitor picks Berlin time over the browser's New York.
    Select(browser.find_element(By.ID, "bb-zone")).select_by_value("Europe/Berlin")
    assert wait_until(lambda: radios(browser) and browser.find_element(By.ID, "bb-day").get_attribute("value"),
                      20, 0.2)
    Select(browser.find_element(By.ID, "bb-day")).select_by_value(later_day(browser))
    times = radios(browser)
    berlin = ZoneInfo("Europe/Berlin")
    local = datetime.fromtimestamp(millis(times[0].get_attribute("value")) / 1000, berlin)
    day_label = Select(browser.find_element(By.ID, "bb-day")).first_selected_option.text
    assert day_label == f"{GERMAN_DAYS[local.weekday()]}, {local.day}. {GERMAN_MONTHS[local.month - 1]}", day_label
    assert [browser.find_element(By.CSS_SELECTOR, f"label[for='{t.get_attribute('id')}']").text for t in times][0] \
        == local.strftime("%H:%M")
    shown = text(browser)
    for words in ("Uhrzeit wählen", "Vorname (Pflichtfeld)", "Nachname (Pflichtfeld)",
                  "E-Mail (Pflichtfeld)", "15 Minuten"):
        assert words in shown, words
    labels = [browser.find_element(By.CSS_SELECTOR, f"label[for='{i}']").text for i in ("bb-zone", "bb-day")]
    assert labels == ["Zeitzone", "Tag"], labels
    for english in ("Pick a time", "First name", "required", "Book a meeting", "Time zone"):
        assert english not in shown, english
    assert browser.find_element(By.CSS_SELECTOR, ".bb-submit").text == "Buchen"
    screenshots(browser, "german-page")
    start = times[0].get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{times[0].get_attribute('id')}']").click()
    address = email("deutsch")
    fill(browser, "Gerda", "Müller", address)
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    shown = wait_booked(browser)
    assert "Ihr Termin ist gebucht." in shown and "Wann" in shown and "In den Kalender (.ics)" in shown, shown
    assert f"{local.day}. {GERMAN_MONTHS[local.month - 1]} um {local.strftime('%H:%M')} (Europe/Berlin)" in shown, \
        shown
    screenshots(browser, "german-booked")
    booking = booking_of(env, address)
    assert booking["startMillis"] == millis(start)
    assert (booking["firstName"], booking["lastName"]) == ("Gerda", "Müller")


def frame_height(driver):
    return driver.execute_script("return document.querySelector('[data-bookingbridge] iframe').offsetHeight")


def fits(driver, frame):
    """Whether the frame is as tall as its page's content (read inside the frame), within 2 px; the content's
    height, or None."""
    driver.switch_to.frame(frame)
    try:
        content = driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().height)")
    finally:
        driver.switch_to.default_content()
    return content if abs(frame_height(driver) - content) <= 2 else None


def test_embed_js_frames_the_page_on_an_allowed_site_sized_to_its_content_and_books(env, hosts, browser):
    site = hosts["allowed"]
    browser.get(site.origin + "/")
    assert wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "[data-bookingbridge] iframe"), 20, 0.2)
    frame = browser.find_element(By.CSS_SELECTOR, "[data-bookingbridge] iframe")
    assert frame.get_attribute("src") == f"{env.base}/book/{EMBED_SOURCE}?embed=1"
    # The frame starts at 640 px and then takes the height its page reports.
    browser.switch_to.frame(frame)
    assert wait_until(lambda: radios(browser), 20, 0.2), text(browser)
    browser.switch_to.default_content()
    content = wait_until(lambda: fits(browser, frame), 20, 0.3)
    assert content, frame_height(browser)
    assert frame_height(browser) != 640
    screenshots(browser, "embed-page", widths=(1280,))
    browser.switch_to.frame(frame)
    Select(browser.find_element(By.ID, "bb-day")).select_by_value(later_day(browser))
    times = radios(browser)
    start = times[0].get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{times[0].get_attribute('id')}']").click()
    address = email("embed")
    fill(browser, "Embed", "Ded", address)
    browser.find_element(By.CSS_SELECTOR, ".bb-submit").click()
    wait_booked(browser)
    browser.switch_to.default_content()
    # The form is gone and the confirmation is short: the frame shrinks with its content.
    def shrunk():
        height = fits(browser, frame)
        return height if height and height < content else None

    assert wait_until(shrunk, 20, 0.3), (frame_height(browser), content)
    screenshots(browser, "embed-booked", widths=(1280,))
    assert booking_of(env, address)["startMillis"] == millis(start)


def test_embed_js_on_a_site_not_allowed_to_frame_the_page_shows_no_page(env, hosts, browser):
    site = hosts["other"]
    browser.get(site.origin + "/")
    assert wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "[data-bookingbridge] iframe"), 20, 0.2)
    frame = browser.find_element(By.CSS_SELECTOR, "[data-bookingbridge] iframe")
    browser.switch_to.frame(frame)
    # frame-ancestors lists only the allowed site: Chromium puts its error page in the frame instead.
    assert wait_until(lambda: browser.execute_script("return location.href").startswith("chrome-error:"), 20, 0.3), \
        browser.execute_script("return location.href")
    assert not browser.find_elements(By.ID, "bb-form")
    browser.switch_to.default_content()
    assert frame_height(browser) == 640, "no page reported a height"
    screenshots(browser, "embed-refused", widths=(1280,))
