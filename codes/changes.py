"""Published changes to the catalog: the /changes/ page and its Atom feed.

A yearly release publishes hundreds of revisions at once: the feed shows it as one
entry (a `ChangeSet` from the release provider in `codes.extensions`) instead of
one entry per code.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .extensions import ChangeSet, release_provider
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
        revisions = published_changes()
        provider = release_provider()
        if provider is None:
            return revisions[:50]
        # A release's revisions are in its own entry; everything else one by one.
        grouped = ContentType.objects.get_for_model(provider.source_model)
        single = list(revisions.exclude(source_type=grouped)[:50])
        items = [*single, *provider.change_sets(50)]
        return sorted(items, key=self.item_pubdate, reverse=True)[:50]

    def item_title(self, item):
        if isinstance(item, ChangeSet):
            return item.title
        return f"{item.code.code} revision {item.revision}: {_labels(item.changed_fields)}"

    def item_description(self, item):
        if isinstance(item, ChangeSet):
            return item.description
        note = f" {item.note}" if item.note else ""
        return f"{item.code.code} {item.code.nomenclature}.{note}"

    def item_link(self, item):
        if isinstance(item, ChangeSet):
            return item.link
        return item.code.get_absolute_url()

    def item_guid(self, item):
        if isinstance(item, ChangeSet):
            return item.guid
        return f"cdt-code-{item.code.code}-revision-{item.revision}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.published_at

    def item_pubdate(self, item):
        return item.published_at
