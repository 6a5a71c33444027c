"""Fixtures of the console's browser tests: a throwaway PostgreSQL, the HubSpot sandbox, a webhook receiver and one
bridge (the resilience suite's helpers in Tests/resilience/bbres), and headless Chromium driven by selenium."""

import json
import os
import random
import shutil
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(REPO, "Tests", "resilience"))

from bbres.load import SOURCES, iso, offered_slots, saturday_start  # noqa: E402
from bbres.postgres import Cluster  # noqa: E402
from bbres.procs import ADMIN_TOKEN, Bridge, Sandbox  # noqa: E402
from bbres.receiver import Receiver  # noqa: E402
from bbres.util import get_json, request, wait_until  # noqa: E402

OUTPUT = os.environ.get("CONSOLE_OUTPUT", os.path.join(HERE, "output"))
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

    def submit(self, first_name="Ada", start_ms=None, email=None):
        start = start_ms if start_ms is not None else self.slots.pop()
        body = {"email": email or f"visitor-{random.randrange(10**9)}@console.bookingbridge.dev", "firstName": first_name,
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


@pytest.fixture(scope="session")
def env():
    binary = os.environ.get("CONSOLE_BINARY", os.path.join(REPO, ".build", "debug", "bookingbridge"))
    workdir = tempfile.mkdtemp(prefix="bookingbridge-console-")
    os.chmod(workdir, 0o755)
    cluster = Cluster(workdir)
    sandbox = Sandbox(binary, workdir, 100)
    receiver = Receiver()
    bridge = None
    try:
        cluster.init()
        cluster.create_database("console")
        sandbox.start()
        url, secret = receiver.subscribe("/console/all")
        link = SOURCES["res"]
        config = {
            "sources": {"res": {"auth": {"mode": "public", "allowedOrigins": [], "honeypotField": "website"},
                                "slug": link["slug"], "durationMinutes": link["minutes"],
                                "timezone": link["timezone"]}},
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
            "DATABASE_URL": cluster.url("console"), "HUBSPOT_BASE_URL": f"http://127.0.0.1:{sandbox.port}",
            "HUBSPOT_ACCESS_TOKEN": "sandbox-token", "BRIDGE_CONFIG": path, "LOG_LEVEL": "info"})
        bridge.start()
        yield Env(bridge, sandbox, receiver, "/console/all")
    finally:
        if bridge:
            bridge.stop()
            log = os.path.join(workdir, "bridge.log")
            if os.path.exists(log):
                os.makedirs(OUTPUT, exist_ok=True)
                shutil.copy(log, os.path.join(OUTPUT, "bridge.log"))
        sandbox.stop()
        receiver.close()
        cluster.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture()
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def screenshots(driver, name):
    """Saves the page at 1280 px and at 390 px wide, and checks that at 390 px nothing but a table's own scroll
    box is wider than the window."""
    os.makedirs(OUTPUT, exist_ok=True)
    from selenium.webdriver.common.by import By
    shown = driver.find_element(By.TAG_NAME, "body").text
    assert 'class="' not in shown and "</" not in shown, f"{name}: the console's own markup shows as text"
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        time.sleep(0.3)
        inner = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= inner + 1, f"{name}: the page is {scroll} px wide in a {inner} px window"
        driver.save_screenshot(os.path.join(OUTPUT, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def sign_in(driver, env, token=ADMIN_TOKEN):
    from selenium.webdriver.common.by import By

    driver.get(env.base + "/console/sign-in")
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_until(lambda: "/console/sign-in" not in driver.current_url, 10, 0.1)


__all__ = ["ADMIN_TOKEN", "get_json", "saturday_start", "screenshots", "sign_in", "wait_until"]
