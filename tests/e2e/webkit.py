"""Safari's engine for the offline pages: WebKitGTK driven through Selenium and the system's
WebKitWebDriver, on a virtual display (`apt-get install -y webkit2gtk-driver xvfb`). Like iOS
Safari it has no Background Sync, so the outbox sends on page load and when the signal returns.

WebKitWebDriver cannot cut the network, so the phone reaches the live server through `Signal`,
a relay on 127.0.0.1 the test switches off and on: cut, it drops every connection at once, which
the page sees as a fetch that fails, as it does in a basement."""

import os
import select
import shutil
import socket
import struct
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

WEBDRIVER = "/usr/bin/WebKitWebDriver"
WAIT_SECONDS = 30  # generous: CI shares 2 cores with the database and the browser


def missing() -> str:
    """Why WebKit cannot run here, or "" when it can."""
    if not os.path.exists(WEBDRIVER) or not shutil.which("Xvfb"):
        return "WebKit not installed: apt-get install -y webkit2gtk-driver xvfb"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed: make venv"
    return ""


@contextmanager
def virtual_display() -> Iterator[str]:
    """An Xvfb display of its own (the first free number); its name, as DISPLAY takes it."""
    read, write = os.pipe()
    command = ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x900x24", "-nolisten", "tcp"]
    xvfb = subprocess.Popen(command, pass_fds=(write,), stderr=subprocess.DEVNULL)  # noqa: S603
    os.close(write)
    try:
        with os.fdopen(read) as announced:
            yield ":" + announced.readline().strip()
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


@contextmanager
def webkit(display: str) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.add_argument("--automation")
    service = Service(WEBDRIVER, env={**os.environ, "DISPLAY": display})
    driver = webdriver.WebKitGTK(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, message: str) -> None:
    """Until it holds; a page that redraws meanwhile is looked at again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.wait import WebDriverWait

    redrawn = (StaleElementReferenceException,)
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1, ignored_exceptions=redrawn)
    wait.until(lambda _driver: condition(), message)


def css(driver, selector: str):
    return driver.find_elements("css selector", selector)


def visible(driver, selector: str) -> bool:
    return any(element.is_displayed() for element in css(driver, selector))


def click(driver, selector: str) -> None:
    """Tap it, scrolled into view first: WebKitWebDriver does not scroll by itself, and the
    page's smooth scrolling would still be moving it."""
    element = css(driver, selector)[0]
    into_view = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})"
    driver.execute_script(into_view, element)
    element.click()


class Signal:
    """A TCP relay to `upstream` (a live server's URL); `url` is the same site through it."""

    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname, parts.port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"{parts.scheme}://{parts.hostname}:{self._listener.getsockname()[1]}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.on = True
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self.on = False
        with self._lock:
            for sock in self._open:
                _reset(sock)
            self._open.clear()

    def restore(self) -> None:
        self.on = True

    def close(self) -> None:
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        with suppress(OSError):  # the listener closed
            while True:
                client, _ = self._listener.accept()
                if not self.on:
                    _reset(client)
                    continue
                threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        server = socket.create_connection(self._upstream)
        pair = {client, server}
        with self._lock:
            self._open |= pair
        try:
            with suppress(OSError), client, server:
                while self.on:
                    ready, _, _ = select.select([client, server], [], [], 0.5)
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (server if sock is client else client).sendall(data)
        finally:
            with self._lock:
                self._open -= pair


def _reset(sock: socket.socket) -> None:
    """Close at once with a reset, as a lost signal ends a connection, not a polite goodbye."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
