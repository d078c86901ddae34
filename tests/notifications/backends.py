"""A mail backend standing in for an SMTP server that fails a set number of times."""

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
