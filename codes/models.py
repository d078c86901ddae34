"""The CDT code catalog: categories, codes, their published revisions and their
versions by date of service.

Two histories live side by side. The official text (nomenclature, descriptor,
status) changes by CDT edition: `CodeVersion` rows give it for each span of
dates of service. The site's own explanation (body, documentation, billing
tips, related codes) changes by community edit: `CodeRevision` snapshots.
`Code` holds the latest of both, so code that does not care about dates reads
it as before.

Writes that change a code go through `codes.services`; nothing here bumps revisions.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Exists, F, FilteredRelation, IntegerField, Q, Value, When
from django.db.models.functions import Upper
from django.urls import reverse

CODE_PATTERN = r"^D[0-9]{4}$"
code_validator = RegexValidator(
    CODE_PATTERN, "A CDT code is the letter D followed by four digits, like D0370."
)

# The fields the public may propose to change, in the order a code page shows them.
EDITABLE_FIELDS = (
    "nomenclature",
    "descriptor",
    "body",
    "documentation",
    "billing_tips",
    "related_codes",
)
# How the public pages, the review page and the feed name those fields.
FIELD_LABELS = {
    "nomenclature": "Title (nomenclature)",
    "descriptor": "Descriptor",
    "body": "When to use it",
    "documentation": "What the chart must hold",
    "billing_tips": "Billing tips",
    "related_codes": "Related codes",
}
# The official text, which changes by CDT edition (CodeVersion).
OFFICIAL_FIELDS = ("nomenclature", "descriptor", "status")
# Open ends of a version's span are stored, so that a lookup by date is two
# comparisons on one index: no start known, and still in force.
DATE_MIN = datetime.date(1, 1, 1)
DATE_MAX = datetime.date(9999, 12, 31)
# What a CodeRevision keeps: the editable fields and the code-set metadata.
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "category", "status", "effective_year", "deleted_year")


class Category(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    range_start = models.CharField(max_length=5, validators=[code_validator])
    range_end = models.CharField(max_length=5, validators=[code_validator])
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("range_start", "position", "name")
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=Q(range_start__lte=models.F("range_end")),
                name="category_range_ordered",
                violation_error_message="A category's range must start before it ends.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="category_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('codes:list')}?category={self.slug}"

    @property
    def code_range(self) -> str:
        return f"{self.range_start}–{self.range_end}"


class CodeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Code.Status.ACTIVE)

    def for_listing(self):
        return self.select_related("category", "category__parent")

    def for_page(self, on: datetime.date | None = None):
        related = Code.objects.order_by("code")
        if on is not None:
            related = related.on(on)
        return self.for_listing().prefetch_related(
            models.Prefetch("related_codes", queryset=related)
        )

    def on(self, day: datetime.date):
        """Codes that have a version on `day` (in force, or deleted by then), each
        annotated with that version: `on_nomenclature`, `on_descriptor`,
        `on_status`, `on_valid_from`, `on_valid_until`, `on_version_id`.

        One join on (code, valid_from). Filter on the annotations (`on_status`),
        not on `v__…`: each later filter() on the relation would join it again.
        """
        in_force = Q(versions__valid_from__lte=day, versions__valid_until__gte=day)
        return (
            self.annotate(v=FilteredRelation("versions", condition=in_force))
            .filter(v__id__isnull=False)
            .annotate(
                on_version_id=F("v__id"),
                on_nomenclature=F("v__nomenclature"),
                on_descriptor=F("v__descriptor"),
                on_status=F("v__status"),
                on_valid_from=F("v__valid_from"),
                on_valid_until=F("v__valid_until"),
                on_edition=edition_on(day),
            )
        )


class Code(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DELETED = "deleted", "Deleted"

    code = models.CharField(max_length=5, unique=True, validators=[code_validator])
    nomenclature = models.CharField(max_length=300)
    descriptor = models.TextField(blank=True)
    body = models.TextField(blank=True)
    documentation = models.TextField(blank=True)
    billing_tips = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="codes")
    related_codes = models.ManyToManyField("self", symmetrical=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    effective_year = models.PositiveSmallIntegerField(null=True, blank=True)
    deleted_year = models.PositiveSmallIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=CODE_PATTERN),
                name="code_cdt_pattern",
                violation_error_message="A CDT code is the letter D followed by four digits.",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="code_revision_positive"),
            models.CheckConstraint(
                condition=Q(status="active", deleted_year__isnull=True)
                | Q(status="deleted", deleted_year__isnull=False),
                name="code_deleted_year_iff_deleted",
                violation_error_message="Only a deleted code has a deleted year, and it must.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "deleted"]), name="code_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["category", "code"], name="code_category_code_idx"),
            models.Index(fields=["status", "code"], name="code_status_code_idx"),
            models.Index(Upper("nomenclature"), name="code_nomenclature_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.nomenclature}"

    def get_absolute_url(self) -> str:
        return reverse("codes:detail", kwargs={"code": self.code})

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    def show_version(self) -> "Code":
        """Put the official text of the version `CodeQuerySet.on()` found in place
        of the latest one, so templates and serializers read the code as it was."""
        if hasattr(self, "on_version_id"):
            self.nomenclature = self.on_nomenclature
            self.descriptor = self.on_descriptor
            self.status = self.on_status
            self.cdt_edition = self.on_edition
        return self


class Edition(models.Model):
    """A CDT edition that took effect on another day than 1 January.

    Edition Y is in force from 1 January Y unless a row here says otherwise (a
    release may set it); years without a row need none.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    effective_on = models.DateField(unique=True)

    class Meta:
        ordering = ("year",)

    def __str__(self) -> str:
        return f"CDT {self.year} (from {self.effective_on:%Y-%m-%d})"


def edition_on(day: datetime.date) -> Case:
    """The CDT edition in force on `day`, as an SQL expression: no extra query.

    Edition Y starts on 1 January Y unless an Edition row moves it, so on a day
    of year Y the answer is Y + 1 if that edition already started, else Y if it
    has, else Y - 1.
    """
    year = day.year

    def started(y: int) -> Exists:
        return Exists(Edition.objects.filter(year=y, effective_on__lte=day))

    return Case(
        When(started(year + 1), then=Value(year + 1)),
        When(~Exists(Edition.objects.filter(year=year)) | started(year), then=Value(year)),
        default=Value(year - 1),
        output_field=IntegerField(),
    )


class CodeVersion(models.Model):
    """A code's official text over a span of dates of service, both ends included.

    A code's versions never overlap; each starts on the first day of a CDT
    edition (or at DATE_MIN when no start is known). The last one of a deleted
    code has status `deleted` and runs from its deletion on. Written only by
    `codes.services` (see `codes.versions`).
    """

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField()
    valid_until = models.DateField()
    # The edition valid_from falls in; null when no start is known.
    edition = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Code.Status.choices)
    nomenclature = models.CharField(max_length=300)
    descriptor = models.TextField(blank=True)
    # The code's revision that last set this text (see CodeRevision).
    revision = models.PositiveIntegerField()

    class Meta:
        ordering = ("code", "valid_from")
        constraints = [
            # Also the index every lookup by date uses: (code_id, valid_from).
            models.UniqueConstraint(fields=["code", "valid_from"], name="codeversion_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_until")), name="codeversion_span_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "deleted"]), name="codeversion_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["valid_from", "valid_until"], name="codeversion_span_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} {self.valid_from}–{self.valid_until} {self.status}"

    @property
    def starts(self) -> datetime.date | None:
        return None if self.valid_from == DATE_MIN else self.valid_from

    @property
    def ends(self) -> datetime.date | None:
        return None if self.valid_until == DATE_MAX else self.valid_until

    @property
    def is_active(self) -> bool:
        return self.status == Code.Status.ACTIVE


class CodeRevision(models.Model):
    """A full snapshot of a code as published at one revision. Never edited."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    nomenclature = models.CharField(max_length=300)
    descriptor = models.TextField(blank=True)
    body = models.TextField(blank=True)
    documentation = models.TextField(blank=True)
    billing_tips = models.TextField(blank=True)
    # Code numbers, sorted: the related codes as this revision showed them.
    related_codes = models.JSONField(default=list, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Code.Status.choices)
    effective_year = models.PositiveSmallIntegerField(null=True, blank=True)
    deleted_year = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_code_revisions",
    )
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    # What this revision published, if anything beyond a direct edit: a suggested edit
    # or a release. Generic, so the catalog knows nothing of the workflows.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("code", "-revision")
        get_latest_by = "revision"
        constraints = [
            models.UniqueConstraint(fields=["code", "revision"], name="coderevision_unique"),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="coderevision_revision_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["-published_at"], name="coderevision_published_idx"),
            models.Index(fields=["source_type", "source_id"], name="coderevision_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code.code} revision {self.revision}"
