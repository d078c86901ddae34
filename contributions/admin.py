"""The staff workplace of every domain; Django's admin autodiscovery imports this module."""

from contributions.notifications import admin as notification_admin  # noqa: F401
from contributions.questions import admin as question_admin  # noqa: F401
from contributions.releases import admin as release_admin  # noqa: F401
from contributions.suggestions import admin as suggestion_admin  # noqa: F401
