"""The hosted booking page (`GET /book/{source}`) in headless Chromium, as a visitor uses it: each test books a
meeting (with the mouse, after a slot was taken meanwhile, without JavaScript, and with the keyboard only), checks the
booking the HubSpot sandbox made, and saves screenshots at 1280 and 320 px wide (under the output folder)."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import PAGE, screenshots
from common import wait_until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def email(kind):
    return f"{kind}-{random.randrange(10**9)}@booking.bookingbridge.dev"


def millis(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def open_page(driver, env):
    """Opens the page and waits for its script to show the open starts of the first day."""
    driver.get(env.base + "/book/res")
    assert driver.find_element(By.TAG_NAME, "h1").text == PAGE["title"]
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".bb-times input[type=radio]"), 20, 0.2), \
        text(driver)
    return driver.find_elements(By.CSS_SELECTOR, ".bb-times input[type=radio]")


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
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{radios[0].get_attribute('id')}']")
    local = datetime.fromtimestamp(millis(radios[0].get_attribute("value")) / 1000, ZoneInfo("Europe/London"))
    assert label.text == local.strftime("%H:%M")
    assert "Europe/London" in text(driver)
    start = radios[0].get_attribute("value")
    driver.find_element(By.CSS_SELECTOR, f"label[for='{radios[0].get_attribute('id')}']").click()
    assert radios[0].is_selected()
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
    radios = open_page(browser, env)
    start = radios[0].get_attribute("value")
    keys = ActionChains(browser)

    def tab_to(predicate, limit=60):
        for _ in range(limit):
            keys.send_keys(Keys.TAB).perform()
            if predicate(browser.switch_to.active_element):
                return browser.switch_to.active_element
        raise AssertionError("Tab never reached the element")

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
