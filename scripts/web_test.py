"""The browser half of scripts/test-web: headless Chromium through selenium, against a running `usher serve`.

Usage: web_test.py BASE_URL SCREENSHOT_FOLDER DEMO_FOLDER (the API key in USHER_WEB_KEY).
Every network request the browser makes goes to BASE_URL (127.0.0.1).
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, shots, demo = sys.argv[1], sys.argv[2], sys.argv[3]
key = os.environ["USHER_WEB_KEY"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAILED: " + message, file=sys.stderr)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--lang=en-US"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(20)


def wait_for(condition, timeout=10.0):
    """Polls until condition() holds (a click that submits a form returns before the next page has loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:
            pass
        time.sleep(0.05)
    return False


def shot(name):
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def console_errors():
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def page(path, heading):
    driver.get(base + path)
    check(driver.find_element(By.TAG_NAME, "h1").text == heading, f"{path}: the heading is {heading!r}")
    check(key not in driver.page_source, f"{path}: the API key is not in the page")
    return driver.page_source


try:
    # Logged out: every page leads to the login, which refuses a wrong key.
    driver.get(base + "/links")
    check("/login" in driver.current_url, "a page logged out goes to the login")
    shot("login")
    driver.find_element(By.ID, "password").send_keys("not-the-key")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    check(wait_for(lambda: "That is not the API key." in driver.page_source), "a wrong key is refused")
    check(driver.get_cookie("usher_session") is None, "no session after a wrong key")
    errors = console_errors()
    check(all("/login" in e and "401" in e for e in errors), f"only the refused login in the console: {errors}")

    # The login: back to the page that was asked for.
    driver.find_element(By.ID, "password").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    check(wait_for(lambda: driver.current_url.endswith("/links")), "the login goes back to the page asked for")
    cookie = driver.get_cookie("usher_session") or {}
    check(cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict", f"the session cookie is HttpOnly and SameSite=Strict: {cookie}")

    page("/", "Overview")
    check("4" in driver.find_element(By.CSS_SELECTOR, ".tile .value").text, "the overview counts the demo's links")
    times = driver.find_elements(By.CSS_SELECTOR, "time[datetime]")
    check(all(t.text and "T" not in t.text for t in times), "times are shown in the browser's time zone by the script")
    shot("overview")
    page("/links", "Links")
    check("Firefly" not in driver.find_element(By.CSS_SELECTOR, "table.links").text, "no Firefly link before the proposal is accepted")
    shot("links")
    page("/prefetch", "Prefetch")
    shot("prefetch")
    page("/runs", "Runs")
    shot("runs")
    page("/proposals", "Proposals")
    check("Serenity" in driver.page_source and "the special" in driver.page_source, "the proposal and its reasons")
    shot("proposals")

    # Keyboard: the first link of the page is the skip link, then the navigation.
    driver.get(base + "/")
    active = driver.switch_to.active_element
    active.send_keys("\t")
    check(driver.switch_to.active_element.text == "Skip to content", "Tab reaches the skip link first")

    # Accept with the episode corrected (S00E02 → S00E01), then the link run it queued makes the link.
    driver.get(base + "/proposals")
    field = driver.find_element(By.CSS_SELECTOR, "input[name=episodes]")
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']")
    check(label.text == "Episode", "the episode field is labelled")
    field.clear()
    field.send_keys("S00E01")
    driver.find_element(By.CSS_SELECTOR, "button[value=accept]").click()
    check(wait_for(lambda: "Added Serenity" in driver.page_source), "the proposal was accepted")
    shot("proposals-accepted")
    mapping = open(os.path.join(demo, "links.yml")).read()
    check("Serenity" in mapping and "S00E01" in mapping and "# Movies that are also episodes" in mapping,
          "links.yml gained the entry, its comment kept")
    found = False
    for _ in range(100):
        driver.get(base + "/links?show=firefly")
        if "Firefly - S00E01" in driver.page_source:
            found = True
            break
        time.sleep(0.2)
    check(found, "the new link is on the links page after the link run")
    check(os.path.exists(os.path.join(demo, "tv", "Firefly (2002)", "Season 00")) and any(
        name.startswith("Firefly - S00E01") for name in os.listdir(os.path.join(demo, "tv", "Firefly (2002)", "Season 00"))),
        "the link is on disk")
    shot("links-after-accept")

    # A dry run from the overview shows its plan.
    driver.get(base + "/")
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Dry run of link']").click()
    check(wait_for(lambda: "/runs/" in driver.current_url), "the dry run's button opens the run's page")
    check(wait_for(lambda: "What it would do" in driver.page_source, timeout=20), "a dry run's page shows its plan (it reloads itself)")
    shot("run-dry")

    # Dark, and a phone's width.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.get(base + "/")
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    check(background == "rgb(20, 23, 28)", f"the dark theme follows the system: {background}")
    shot("overview-dark")
    driver.set_window_size(390, 844)
    driver.get(base + "/links")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 400, f"the links page fits a phone's width (the table scrolls inside): {width}px")
    shot("links-phone-dark")
    driver.set_window_size(1280, 900)

    errors = console_errors()
    check(not errors, f"no error in the browser's console: {errors}")

    # Log out: the pages need a login again.
    driver.get(base + "/")
    driver.find_element(By.CSS_SELECTOR, ".logout button").click()
    check(wait_for(lambda: "/login" in driver.current_url), "logging out leads to the login")
    driver.get(base + "/runs")
    check("/login" in driver.current_url, "after logging out, pages need the login again")
finally:
    driver.quit()

if failures:
    print(f"web_test.py: {len(failures)} failed", file=sys.stderr)
    sys.exit(1)
print("web_test.py: all checks passed")
