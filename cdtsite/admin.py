"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """No add, change or delete forms: these rows change only through the services
    (workflow transitions, the revision service) or never (audit logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
