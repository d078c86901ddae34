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


def _user_key(user_id: int) -> str:
    # Which submissions a user has claimed: an index for "claimed by me", checked against
    # the claims themselves (an entry may outlive its claim; it never invents one).
    return f"claim:user:{user_id}"


def _remember(user, submission_id: int, *, keep: bool) -> None:
    ids = set(cache.get(_user_key(user.pk)) or ())
    if keep:
        ids.add(submission_id)
    else:
        ids.discard(submission_id)
    cache.set(_user_key(user.pk), sorted(ids), settings.CONTRIBUTIONS_CLAIM_SECONDS)


def claim_take(*, submission_id: int, user) -> Claim | None:
    """Claim for `user`, or renew their claim. Returns another user's claim instead, if any."""
    timeout = settings.CONTRIBUTIONS_CLAIM_SECONDS
    mine = {"user_id": user.pk, "username": user.get_username()}
    if cache.add(_key(submission_id), mine, timeout):
        _remember(user, submission_id, keep=True)
        return None
    current = cache.get(_key(submission_id))
    if current is None or current["user_id"] == user.pk:
        cache.set(_key(submission_id), mine, timeout)
        _remember(user, submission_id, keep=True)
        return None
    return Claim(**current)


def claim_release(*, submission_id: int, user) -> None:
    current = cache.get(_key(submission_id))
    if current and current["user_id"] == user.pk:
        cache.delete(_key(submission_id))
    _remember(user, submission_id, keep=False)


def claimed_by(user) -> list[int]:
    """The submissions `user` holds a live claim on, by id."""
    ids = cache.get(_user_key(user.pk)) or []
    return sorted(pk for pk, claim in claims_for(ids).items() if claim.user_id == user.pk)


def claims_for(submission_ids) -> dict[int, Claim]:
    keys = {_key(pk): pk for pk in submission_ids}
    found = cache.get_many(list(keys))
    return {keys[key]: Claim(**value) for key, value in found.items()}
