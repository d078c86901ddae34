"""Published changes to the catalog: the /changes/ page and its Atom feed."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import FIELD_LABELS
from .selectors import published_changes


def changes(request):
    paginator = Paginator(published_changes(), 30)
    page = paginator.get_page(request.GET.get("page"))
    for revision in page.object_list:
        revision.changed_labels = _labels(revision.changed_fields)
    return render(request, "codes/changes.html", {"page": page})


def _labels(fields) -> str:
    return ", ".join(FIELD_LABELS.get(f, f.replace("_", " ")) for f in fields) or "updated"


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "CDT Codes — published changes"
    subtitle = "Corrections and updates published on the CDT Codes reference site."

    def link(self):
        return reverse("codes:changes")

    def items(self):
        return published_changes()[:50]

    def item_title(self, item):
        return f"{item.code.code} revision {item.revision}: {_labels(item.changed_fields)}"

    def item_description(self, item):
        note = f" {item.note}" if item.note else ""
        return f"{item.code.code} {item.code.nomenclature}.{note}"

    def item_link(self, item):
        return item.code.get_absolute_url()

    def item_guid(self, item):
        return f"cdt-code-{item.code.code}-revision-{item.revision}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.published_at

    def item_pubdate(self, item):
        return item.published_at
