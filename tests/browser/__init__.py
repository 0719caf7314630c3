"""Browser tests: `main.py` as a real process, driven by headless Debian Chromium through Playwright."""
