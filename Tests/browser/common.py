"""What the browser suites share (Tests/browser/console and Tests/browser/booking): the stack they drive (a
throwaway PostgreSQL, the HubSpot sandbox, a webhook receiver and one bridge, all from the resilience suite's helpers
in Tests/resilience/bbres, all on loopback and stopped at the end), headless Chromium through selenium, and
screenshots at a wide and a narrow width."""

import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "Tests", "resilience"))

from bbres.load import SOURCES, iso, offered_slots, saturday_start  # noqa: E402
from bbres.postgres import Cluster  # noqa: E402
from bbres.procs import ADMIN_TOKEN, Bridge, Sandbox  # noqa: E402
from bbres.receiver import Receiver  # noqa: E402
from bbres.util import get_json, request, wait_until  # noqa: E402

WIDTHS = (1280, 390)


class Env:
    """The running bridge and what the tests need to reach it."""

    def __init__(self, bridge, sandbox, receiver, subscription_path):
        self.bridge = bridge
        self.sandbox = sandbox
        self.receiver = receiver
        self.subscription_path = subscription_path
        self.base = f"http://127.0.0.1:{bridge.port}"
        self.slots = offered_slots(sandbox.port, random.Random(20), "res")

    def admin(self, path):
        return self.bridge.admin(path)

    def admin_post(self, path, body):
        status, _, payload = request(self.bridge.port, "POST", path, body=body,
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        return status, json.loads(payload) if payload else None

    def submit(self, first_name="Ada", start_ms=None, email=None, domain="browser.bookingbridge.dev"):
        start = start_ms if start_ms is not None else self.slots.pop()
        body = {"email": email or f"visitor-{random.randrange(10**9)}@{domain}", "firstName": first_name,
                "lastName": "Lovelace", "startTime": iso(start)}
        status, _, payload = request(self.bridge.port, "POST", "/v1/intake/res", body=body)
        assert status == 202, payload
        return json.loads(payload)["id"]

    def wait_status(self, intent_id, statuses, timeout=60):
        def reached():
            intent = self.admin(f"/v1/intents/{intent_id}")
            return intent if intent["status"] in statuses else None
        intent = wait_until(reached, timeout, 0.3)
        assert intent, f"intent {intent_id} did not reach {statuses}: {self.admin(f'/v1/intents/{intent_id}')}"
        return intent


@contextlib.contextmanager
def stack(name, output, source_extra=None, more_sources=None, token="sandbox-token"):
    """Starts the stack with one `public` source `res` (the suite's personal link, 15-minute meetings; its settings
    extended by `source_extra`) and yields an `Env`. `more_sources` adds sources by name, each `res`'s settings
    extended by its own. `token` is the bridge's HubSpot token (the sandbox's `sandbox-no-crm` lacks the CRM read
    scope). The bridge's log is copied to `output` at the end."""
    binary = os.environ.get("BROWSER_BINARY", os.path.join(REPO, ".build", "debug", "bookingbridge"))
    workdir = tempfile.mkdtemp(prefix=f"bookingbridge-{name}-")
    os.chmod(workdir, 0o755)
    cluster = Cluster(workdir)
    sandbox = Sandbox(binary, workdir, 100)
    receiver = Receiver()
    bridge = None
    try:
        cluster.init()
        cluster.create_database(name)
        sandbox.start()
        subscription = f"/{name}/all"
        url, secret = receiver.subscribe(subscription)
        link = SOURCES["res"]
        source = {"auth": {"mode": "public", "allowedOrigins": [], "honeypotField": "website"},
                  "slug": link["slug"], "durationMinutes": link["minutes"], "timezone": link["timezone"]}
        source.update(source_extra or {})
        sources = {"res": source}
        for other, extra in (more_sources or {}).items():
            sources[other] = {**source, **extra}
        config = {
            "sources": sources,
            "subscriptions": [{"url": url, "eventTypes": ["booking.*"], "secret": secret,
                               "description": "browser tests"}],
            "intake": {"rateLimitPerClientPerMinute": 100000},
            "webhooks": {"allowDestinations": ["127.0.0.0/8"], "timeoutSeconds": 3, "pollInterval": "300ms"},
            "hubspot": {"requestTimeoutSeconds": 2},
            "pipeline": {"workers": 2, "pollInterval": "300ms", "baseBackoff": "200ms", "maxBackoff": "1s",
                         "maxAttempts": 3, "reconcileDelay": "1s"},
        }
        path = os.path.join(workdir, "config.json")
        with open(path, "w") as f:
            json.dump(config, f)
        bridge = Bridge("bridge", binary, workdir, {
            "DATABASE_URL": cluster.url(name), "HUBSPOT_BASE_URL": f"http://127.0.0.1:{sandbox.port}",
            "HUBSPOT_ACCESS_TOKEN": token, "BRIDGE_CONFIG": path, "LOG_LEVEL": "info"})
        bridge.start()
        yield Env(bridge, sandbox, receiver, subscription)
    finally:
        if bridge:
            bridge.stop()
            log = os.path.join(workdir, "bridge.log")
            if os.path.exists(log):
                os.makedirs(output, exist_ok=True)
                shutil.copy(log, os.path.join(output, "bridge.log"))
        sandbox.stop()
        receiver.close()
        cluster.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


def chromium(javascript=True):
    """Headless Chromium (as root it needs --no-sandbox), 1280 px wide; with `javascript=False` scripts are off."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def screenshots(driver, output, name, full_height=False, widths=WIDTHS):
    """Saves the page at each of `widths` (1280 and 390 px unless told), and checks that at each nothing but a
    table's own scroll box is wider than the window and that no markup shows as text. With `full_height` the window is made as tall
    as the page, so the screenshot shows all of it."""
    os.makedirs(output, exist_ok=True)
    from selenium.webdriver.common.by import By
    shown = driver.find_element(By.TAG_NAME, "body").text
    assert 'class="' not in shown and "</" not in shown, f"{name}: the page's own markup shows as text"
    for width in widths:
        driver.set_window_size(width, 900)
        time.sleep(0.3)
        inner = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= inner + 1, f"{name}: the page is {scroll} px wide in a {inner} px window"
        if full_height:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(max(height + 140, 900), 4000))
            time.sleep(0.2)
        driver.save_screenshot(os.path.join(output, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


__all__ = ["ADMIN_TOKEN", "Env", "SOURCES", "chromium", "get_json", "iso", "request", "saturday_start",
           "screenshots", "stack", "wait_until"]
