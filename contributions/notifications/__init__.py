"""The notification outbox: every message stored with its cause, delivered after commit."""
