"""Fixtures of the booking page's browser tests: the shared stack of Tests/browser/common.py with the source's
booking page on (and sources for the link's own form fields, German and the embed), two host sites on other
loopback origins for embed.js (one allowed to frame the page, one not), and headless Chromium (with and without
JavaScript) driven by selenium."""

import html
import http.server
import os
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(HERE))

import common  # noqa: E402

OUTPUT = os.environ.get("BOOKING_OUTPUT", os.path.join(HERE, "output"))
PAGE = {"enabled": True, "title": "Intro call with Jane", "intro": "Pick a time that suits you."}
# support/onboarding: a required text field, an optional radio choice, a required consent and processing consent.
FORM_SOURCE = {"slug": "support/onboarding", "durationMinutes": 45, "timezone": "Europe/Berlin",
               "page": {"enabled": True}}
GERMAN_SOURCE = {"locale": "de", "page": {"enabled": True}}
EMBED_SOURCE = "emb"


class HostSite:
    """A web site on its own loopback origin whose one page embeds the booking page with embed.js."""

    def __init__(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.page().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.bridge = None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self):
        script = html.escape(f"{self.bridge}/book/{EMBED_SOURCE}/embed.js")
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Host site</title></head>"
                "<body><h1>Host site</h1><p>Our booking page, embedded:</p>"
                f"<div data-bookingbridge=\"{EMBED_SOURCE}\"></div><p id=\"after\">Below the frame.</p>"
                f"<script src=\"{script}\"></script></body></html>")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def hosts():
    allowed, other = HostSite(), HostSite()
    try:
        yield {"allowed": allowed, "other": other}
    finally:
        allowed.close()
        other.close()


@pytest.fixture(scope="session")
def env(hosts):
    embed = {"auth": {"mode": "public", "allowedOrigins": [hosts["allowed"].origin], "honeypotField": "website"},
             "page": PAGE}
    more = {"onb": FORM_SOURCE, "de": GERMAN_SOURCE, EMBED_SOURCE: embed}
    with common.stack("booking", OUTPUT, {"page": PAGE}, more) as running:
        for site in hosts.values():
            site.bridge = running.base
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


def screenshots(driver, name, widths=(1280, 320)):
    """Saves the whole page at 1280 px and at 320 px wide, the narrowest the page must work at (see
    common.screenshots)."""
    common.screenshots(driver, OUTPUT, name, full_height=True, widths=widths)
