"""What search engines read: sitemap, robots.txt, canonical links and structured data.

https://docs.djangoproject.com/en/5.2/ref/contrib/sitemaps/
https://schema.org/DefinedTerm
"""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import Code
from .rendering import markdown_to_plain

# CDT's own identifier, as the terminology API names its system.
CDT_SYSTEM = "http://www.ada.org/cdt"
# Crawlers stay out of the staff pages, private tracking links and the API.
ROBOTS_DISALLOW = ("/admin/", "/track/", "/api/")


class HomeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self):
        return ["codes:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Code.objects.aggregate(last=Max("updated_at"))["last"]


class CodeSitemap(Sitemap):
    """Every published code page (deleted codes keep theirs, as a record)."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Code.objects.only("code", "updated_at").order_by("code")

    def lastmod(self, code: Code):
        return code.updated_at


SITEMAPS = {"home": HomeSitemap, "codes": CodeSitemap}


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def code_canonical_url(request: HttpRequest, code: Code) -> str:
    """The one address of a code page, whatever spelling or query brought the visitor."""
    return request.build_absolute_uri(code.get_absolute_url())


def code_defined_term(code: Code, *, url: str) -> dict[str, Any]:
    """schema.org DefinedTerm of a code, for its page's JSON-LD."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "termCode": code.code,
        "name": code.nomenclature,
        "url": url,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "@id": CDT_SYSTEM,
            "name": "Current Dental Terminology (CDT)",
        },
    }
    description = markdown_to_plain(code.descriptor)
    if description:
        data["description"] = description
    return data
