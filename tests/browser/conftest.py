"""The sandbox in a real browser: headless Chromium (Debian's package) driven by Playwright,
against the sandbox started in the test's event loop on its own SQLite file."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from bot.settings import load_settings
from sandbox.main import Sandbox
from sandbox.run import open_page

# Chromium as this machine can run it: headless, no sandbox (root), and no calls home (the
# network is closed: they would only fail, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CHIBO_SCREENSHOTS", "test-screenshots"))


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "Debian's chromium is not installed: `make test` installs it (tools/install-browser)"
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, int]]:
    """The sandbox with the town's data, and the port its page is on."""
    base = load_settings(_env_file=None, log_level="INFO")
    running = Sandbox(base, tmp_path / "sandbox.db")
    runner, port = await open_page(running, 0)
    await running.start()
    yield running, port
    # The sandbox first: it tells the page's open event streams to end, which the web
    # server's cleanup would otherwise wait out (15 s a test).
    await running.stop()
    await runner.cleanup()


class Screen:
    """The page as a person uses it, with a screenshot of each step."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.shots = 0

    async def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        await self.page.screenshot(path=path)
        return path

    async def act_as(self, key: str) -> None:
        back = self.page.locator("#back")
        if await back.is_visible():  # a phone's window shows one chat: back to the list first
            await back.click()
        await self.page.click(f'#people button[data-key="{key}"]')
        await self.page.wait_for_selector(
            f'#people button[data-key="{key}"].active', state="attached"
        )

    async def move_clock(self, action: str) -> str:
        await self.page.click(f'[data-clock="{action}"]')
        said = self.page.locator("#clock-said")
        await said.filter(has_text="Bây giờ là").wait_for()
        return await said.inner_text()

    def bubble(self, text: str):
        """The newest bot message containing `text`."""
        return self.page.locator(".msg.bot", has_text=text).last

    async def press(self, text: str, on: str) -> None:
        """Press the button `text` on the newest bot message containing `on`."""
        await self.bubble(on).get_by_role("button", name=text, exact=True).click()

    async def type(self, text: str) -> None:
        await self.page.fill("#text", text)
        await self.page.press("#text", "Enter")

    async def expect(self, text: str, timeout: float = 15000) -> None:
        await self.bubble(text).wait_for(timeout=timeout)


@pytest.fixture
async def screen(
    browser: Browser, sandbox: tuple[Sandbox, int], request: pytest.FixtureRequest
) -> AsyncIterator[Screen]:
    async for opened in _screen(browser, sandbox, request, {"width": 1280, "height": 860}):
        yield opened


@pytest.fixture
async def phone(
    browser: Browser, sandbox: tuple[Sandbox, int], request: pytest.FixtureRequest
) -> AsyncIterator[Screen]:
    """The page in a phone's window (390×844), as a member holds it."""
    async for opened in _screen(browser, sandbox, request, {"width": 390, "height": 844}):
        yield opened


async def _screen(
    browser: Browser,
    sandbox: tuple[Sandbox, int],
    request: pytest.FixtureRequest,
    viewport: ViewportSize,
) -> AsyncIterator[Screen]:
    _, port = sandbox
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    mobile = viewport["width"] < 600
    page = await browser.new_page(viewport=viewport, locale="vi-VN", is_mobile=mobile)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{port}/")
    await page.wait_for_selector("#people button")
    await page.click("#tour-close")
    yield Screen(page, folder)
    await page.close()
    assert not errors, f"the page raised: {errors}"
