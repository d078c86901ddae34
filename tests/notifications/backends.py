"""Mail as the tests see it: a backend standing in for an SMTP server that fails a set
number of times, and the outbox rows found in the file backend's mail."""

import re
from collections import Counter
from pathlib import Path
from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend

failures_left = 0


class FlakySMTPBackend(EmailBackend):
    def send_messages(self, messages):
        global failures_left
        if failures_left > 0:
            failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def file_mail_ids(mail_dir: Path) -> Counter:
    """How many times each outbox row's mail was written by the file backend."""
    return Counter(
        int(found)
        for path in mail_dir.iterdir()
        for found in re.findall(r"^X-CDT-Notification: (\d+)$", path.read_text(), re.M)
    )
