"""The app's models module, as Django looks for it: each domain defines its own.

contributions.suggestions.models, contributions.questions.models,
contributions.releases.models and contributions.notifications.models hold the
classes; the tables keep their `contributions_*` names, so nothing users or
operators see was renamed.
"""

from contributions.notifications.models import Notification, NotificationPreference
from contributions.questions.models import Question, QuestionEvent, QuestionQuerySet
from contributions.releases.models import Release, ReleaseChange, ReleaseEvent
from contributions.suggestions.models import Submission, SubmissionEvent

__all__ = [
    "Notification",
    "NotificationPreference",
    "Question",
    "QuestionEvent",
    "QuestionQuerySet",
    "Release",
    "ReleaseChange",
    "ReleaseEvent",
    "Submission",
    "SubmissionEvent",
]
