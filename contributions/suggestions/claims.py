"""Short-lived review claims: "someone is looking at this one", kept in the cache (Redis).

A claim warns a second reviewer; it never blocks. It expires on its own
(CONTRIBUTIONS_CLAIM_SECONDS) unless the open review page renews it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Claim:
    user_id: int
    username: str


def _key(submission_id: int) -> str:
    return f"claim:submission:{submission_id}"


def claim_take(*, submission_id: int, user) -> Claim | None:
    """Claim for `user`, or renew their claim. Returns another user's claim instead, if any."""
    timeout = settings.CONTRIBUTIONS_CLAIM_SECONDS
    mine = {"user_id": user.pk, "username": user.get_username()}
    if cache.add(_key(submission_id), mine, timeout):
        return None
    current = cache.get(_key(submission_id))
    if current is None or current["user_id"] == user.pk:
        cache.set(_key(submission_id), mine, timeout)
        return None
    return Claim(**current)


def claim_release(*, submission_id: int, user) -> None:
    current = cache.get(_key(submission_id))
    if current and current["user_id"] == user.pk:
        cache.delete(_key(submission_id))


def claims_for(submission_ids) -> dict[int, Claim]:
    keys = {_key(pk): pk for pk in submission_ids}
    found = cache.get_many(list(keys))
    return {keys[key]: Claim(**value) for key, value in found.items()}
