"""Fixtures of the booking page's browser tests: the shared stack of Tests/browser/common.py with the source's
booking page on, and headless Chromium (with and without JavaScript) driven by selenium."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(HERE))

import common  # noqa: E402

OUTPUT = os.environ.get("BOOKING_OUTPUT", os.path.join(HERE, "output"))
PAGE = {"enabled": True, "title": "Intro call with Jane", "intro": "Pick a time that suits you."}


@pytest.fixture(scope="session")
def env():
    with common.stack("booking", OUTPUT, {"page": PAGE}) as running:
        yield running


@pytest.fixture()
def browser():
    driver = common.chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def plain_browser():
    """Chromium with JavaScript off: the page is a plain form."""
    driver = common.chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


def screenshots(driver, name):
    """Saves the whole page at 1280 px and at 320 px wide, the narrowest the page must work at (see
    common.screenshots)."""
    common.screenshots(driver, OUTPUT, name, full_height=True, widths=(1280, 320))
