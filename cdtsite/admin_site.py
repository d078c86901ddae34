"""The staff workplace's admin site: named after the product, queues listed first."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

# Where a model without its own `index_order` goes on the admin home: after the queues.
DEFAULT_ORDER = 100


class StaffAdminSite(admin.AdminSite):
    site_header = "CDT Codes · staff workplace"
    site_title = "CDT Codes staff"
    index_title = "Queues and records"
    # The queues need the width (at 1280 px the sidebar pushed due times off screen);
    # the breadcrumbs and the home page lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """Each app's models in the order their ModelAdmin's `index_order` gives (the
        work queues before the audit trails), then by name; Django sorts by name only."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["models"].sort(
                key=lambda entry: (
                    getattr(self._registry.get(entry["model"]), "index_order", DEFAULT_ORDER),
                    entry["name"],
                )
            )
        return app_list


class StaffAdminConfig(AdminConfig):
    default_site = "cdtsite.admin_site.StaffAdminSite"
