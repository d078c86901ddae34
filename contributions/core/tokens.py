"""Private tracking links: the token is shown once, only its digest is stored."""

import hashlib
import secrets


def token_new() -> tuple[str, str]:
    """A fresh tracking token and the digest stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    # A database leak must not hand out working tracking links: only the digest is kept.
    return hashlib.sha256(token.encode()).hexdigest()
