"""A local SMTP server whose log is the ground truth of what was delivered (aiosmtpd).

A message counts as delivered when the server has logged it and answered 250, as a real
server commits a message before its final reply. `kill_at` makes it SIGKILL a client
process on a chosen message, after the data but before any reply: the message is then
refused, as by a server that lost its client mid-send.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from tests.hardening.servers import free_port

MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.M | re.I)


class SinkHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delivered: list[str] = []  # Message-IDs, in the order they were accepted
        self._kill: tuple[int, int] | None = None  # (pid, nth message from now)
        self._count = 0

    def kill_at(self, pid: int, nth: int) -> None:
        with self.lock:
            self._kill, self._count = (pid, nth), 0

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self._count += 1
            if self._kill and self._count == self._kill[1]:
                os.kill(self._kill[0], signal.SIGKILL)
                self._kill = None
                return "451 4.3.0 Client gone, message not accepted"
            found = MESSAGE_ID.search(envelope.content)
            self.delivered.append(found.group(1).decode() if found else "")
        return "250 2.0.0 OK: queued"

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.delivered)


def smtp_sink():
    """Started on a free port; yields (handler, port) and stops the server afterwards."""
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
