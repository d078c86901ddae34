from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    """Suggested edits, billing questions and the notification outbox: one Django app
    (one `contributions_*` set of tables and permissions), one folder per domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "contributions"
    verbose_name = "Contributions"

    def ready(self) -> None:
        from codes.extensions import CodePageSection, code_page_section_register
        from contributions.core.hooks import revisions_published_listen
        from contributions.notifications.outbox import events_register
        from contributions.questions import notifications as question_events
        from contributions.questions.views import code_page_questions
        from contributions.releases import notifications as release_events
        from contributions.releases.wiring import releases_connect
        from contributions.suggestions import notifications as suggestion_events
        from contributions.suggestions import stale

        # Each domain says which messages it sends; the outbox knows none of them.
        events_register(
            *suggestion_events.EVENTS,
            *stale.EVENTS,
            *question_events.EVENTS,
            *release_events.EVENTS,
        )
        # The catalog's `import_codes --release` and its feed reach releases through
        # codes.extensions.
        releases_connect()
        # Revisions a release publishes make open suggestions stale: through core.hooks,
        # so neither domain imports the other.
        revisions_published_listen("suggestions.stale", stale.submissions_flag_stale)
        # The catalog's code page shows the questions section through its extension point.
        code_page_section_register(
            CodePageSection(
                anchor="questions",
                title="Questions and answers",
                template="contributions/includes/code_questions.html",
                context=code_page_questions,
            )
        )
