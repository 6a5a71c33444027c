"""Fixtures of the console's browser tests: the shared stack of Tests/browser/common.py (a throwaway PostgreSQL,
the HubSpot sandbox, a webhook receiver and one bridge) and headless Chromium driven by selenium."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(HERE))

import common  # noqa: E402
from common import ADMIN_TOKEN, get_json, saturday_start, wait_until  # noqa: E402

OUTPUT = os.environ.get("CONSOLE_OUTPUT", os.path.join(HERE, "output"))


@pytest.fixture(scope="session")
def env():
    # Without the CRM read scope: the review test needs an unanswered booking that HubSpot's CRM cannot settle, so
    # that it ends needs_review for a person to resolve.
    with common.stack("console", OUTPUT, token="sandbox-no-crm") as running:
        yield running


@pytest.fixture()
def browser():
    driver = common.chromium()
    try:
        yield driver
    finally:
        driver.quit()


def screenshots(driver, name):
    """Saves the page at 1280 px and at 390 px wide (see common.screenshots)."""
    common.screenshots(driver, OUTPUT, name)


def sign_in(driver, env, token=ADMIN_TOKEN):
    from selenium.webdriver.common.by import By

    driver.get(env.base + "/console/sign-in")
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_until(lambda: "/console/sign-in" not in driver.current_url, 10, 0.1)


__all__ = ["ADMIN_TOKEN", "get_json", "saturday_start", "screenshots", "sign_in", "wait_until"]
