"""Starts the app in named stages, so the page can say what it is loading and, if it fails, what failed.

PyScript runs this file with top-level await; everything here goes through app.browser.
"""

from app import browser

try:
    browser.set_stage("numpy")
    await browser.load_packages(["numpy"])
except Exception as error:
    browser.fail(f"Could not load numpy: {type(error).__name__}: {error}")
else:
    try:
        browser.set_stage("app")
        from app import main

        await main.start()
    except Exception as error:
        browser.fail(f"Could not start the app: {type(error).__name__}: {error}")
