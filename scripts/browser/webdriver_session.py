#!/usr/bin/env python3
"""One headless Chromium (Debian's chromium + chromium-driver) driven by Selenium, one command a line.

The dashboard's browser tests (Tests/MMPDashboardTests) start this and send JSON commands on
stdin; each gets one JSON line on stdout: {"ok": true, "value": ...} or {"ok": false, "error": ...}.
Commands: {"op": "get", "url"}, {"op": "texts", "css"}, {"op": "attrs", "css", "attr"},
{"op": "click", "css"} (accepts a confirm dialog), {"op": "fill", "css", "value"},
{"op": "select", "css", "value"}, {"op": "submit", "css"}, {"op": "screenshot", "path"},
{"op": "url"}, {"op": "wait_text", "css", "text", "timeout"}, {"op": "quit"}.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("MMP_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    service = Service(executable_path=os.environ.get("MMP_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def run(driver, c):
    op = c["op"]
    if op == "get":
        driver.get(c["url"])
        return driver.title
    if op == "texts":
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, c["css"])]
    if op == "attrs":
        return [e.get_attribute(c["attr"]) for e in driver.find_elements(By.CSS_SELECTOR, c["css"])]
    if op == "click":
        driver.find_element(By.CSS_SELECTOR, c["css"]).click()
        try:
            driver.switch_to.alert.accept()
        except NoAlertPresentException:
            pass
        return driver.current_url
    if op == "fill":
        e = driver.find_element(By.CSS_SELECTOR, c["css"])
        e.clear()
        e.send_keys(c["value"])
        return True
    if op == "select":
        Select(driver.find_element(By.CSS_SELECTOR, c["css"])).select_by_value(c["value"])
        return True
    if op == "submit":
        driver.find_element(By.CSS_SELECTOR, c["css"]).submit()
        return driver.current_url
    if op == "screenshot":
        return driver.save_screenshot(c["path"])
    if op == "url":
        return driver.current_url
    if op == "wait_text":
        deadline = time.time() + float(c.get("timeout", 30))
        while time.time() < deadline:
            texts = [e.text for e in driver.find_elements(By.CSS_SELECTOR, c["css"])]
            if any(c["text"] in t for t in texts):
                return texts
            time.sleep(0.2)
        raise TimeoutError("no %s shows %r within %ss" % (c["css"], c["text"], c.get("timeout", 30)))
    raise ValueError("unknown op %r" % op)


def main():
    driver = browser()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            if command["op"] == "quit":
                print(json.dumps({"ok": True, "value": None}), flush=True)
                break
            try:
                print(json.dumps({"ok": True, "value": run(driver, command)}), flush=True)
            except Exception as error:  # reported to the test, which fails with it
                print(json.dumps({"ok": False, "error": "%s: %s" % (type(error).__name__, error)}), flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
