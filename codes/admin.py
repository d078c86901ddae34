"""The catalog in the Django admin.

A code is never saved here directly: add and change go through
`codes.services` (so every edit is a new revision with the editor as
publisher), codes cannot be deleted (they are marked deleted, with their
deleted year), and an old revision comes back through the restore action.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from cdtsite.admin import ReadOnlyAdminMixin

from .models import SNAPSHOT_FIELDS, Category, Code, CodeRevision, CodeVersion
from .selectors import category_with_descendants
from .services import CodeDataError, code_create, code_revision_restore, code_update


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "code_range", "parent", "code_count")
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "range_start", "range_end")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("range_start", "position", "name")
    fields = ("name", "slug", "range_start", "range_end", "parent", "description", "position")

    def get_queryset(self, request):
        # Subcategories' codes count for their parent (the tree is two levels deep).
        return (
            super()
            .get_queryset(request)
            .annotate(
                own_codes=Count("codes", distinct=True),
                child_codes=Count("children__codes", distinct=True),
            )
        )

    @admin.display(description="code range", ordering="range_start")
    def code_range(self, obj: Category) -> str:
        return obj.code_range

    @admin.display(description="codes")
    def code_count(self, obj: Category) -> int:
        return obj.own_codes + obj.child_codes


class CategoryListFilter(admin.SimpleListFilter):
    """By category; a top-level category includes its subcategories."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = Category.objects.select_related("parent")
        return [
            (c.slug, f"— {c.name}" if c.parent_id else c.name)
            for c in sorted(categories, key=lambda c: (c.range_start, c.parent_id is not None))
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        category = Category.objects.filter(slug=self.value()).first()
        if category is None:
            return queryset.none()
        return queryset.filter(category_id__in=category_with_descendants(category))


class _DryRunDone(Exception):
    pass


class CodeAdminForm(forms.ModelForm):
    """Validated by the same service that saves it, so its rules show as field errors."""

    note = forms.CharField(
        required=False,
        max_length=500,
        label="Revision note",
        help_text="Why this change was made; kept with the new revision.",
    )
    # The revision the editor saw: a save on top of someone else's newer one is refused.
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Code
        fields = (
            "code",
            "nomenclature",
            "descriptor",
            "body",
            "documentation",
            "billing_tips",
            "category",
            "related_codes",
            "status",
            "effective_year",
            "deleted_year",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_revision"].initial = self.instance.revision

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("base_revision")
        if self.instance.pk and seen is not None and seen != self.instance.revision:
            raise ValidationError(
                f"This code was published as revision {self.instance.revision} after you "
                f"opened revision {seen}. Reload the page to see the changes, then edit again."
            )
        # The service has the last word. Run only on otherwise valid input; a field
        # it rejects is then left out of Django's model checks, so each problem shows once.
        if not self._errors:
            self._check_with_service()
        return cleaned

    def service_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in SNAPSHOT_FIELDS}
        values["related_codes"] = sorted(c.code for c in self.cleaned_data["related_codes"])
        return values

    def apply(self, *, actor) -> Code:
        """Create or change the code through the service; a change is a new revision."""
        values = self.service_values()
        note = self.cleaned_data.get("note", "")
        if self.instance.pk:
            code_update(code=self.instance.code, changes=values, actor=actor, note=note)
            return Code.objects.get(pk=self.instance.pk)
        return code_create(code=self.cleaned_data["code"], values=values, actor=actor, note=note)

    def _check_with_service(self) -> None:
        """Run the real write and roll it back: the service's own rules decide."""
        try:
            with transaction.atomic():
                self.apply(actor=None)
                raise _DryRunDone
        except _DryRunDone:
            pass
        except CodeDataError as exc:
            self._add_service_errors(next(iter(exc.entry_errors.values()), {}))
        except ValidationError as exc:
            self._add_service_errors(
                exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            )

    def _add_service_errors(self, errors: dict) -> None:
        for name, messages_ in errors.items():
            for message in messages_:
                if name in self.fields:
                    self.add_error(name, message)
                elif name in (None, NON_FIELD_ERRORS):
                    self.add_error(None, message)
                else:
                    self.add_error(None, f"{name}: {message}")


class CodeRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CodeRevision
    verbose_name = "published revision"
    verbose_name_plural = "revision history"
    fields = (
        "revision",
        "published_at",
        "published_by",
        "changed",
        "note",
        "restored_from",
        "restore",
    )
    readonly_fields = fields
    ordering = ("-revision",)
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("published_by", "code")

    def has_view_permission(self, request, obj=None):
        return _may_view_history(request)

    @admin.display(description="changed fields")
    def changed(self, obj: CodeRevision) -> str:
        return _changed(obj)

    @admin.display(description="restore")
    def restore(self, obj: CodeRevision) -> str:
        if obj.revision == obj.code.revision:
            return "current"
        url = reverse("admin:codes_coderevision_changelist")
        query = urlencode({"code__id__exact": obj.code_id})
        return format_html('<a href="{}?{}">choose in history…</a>', url, query)


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    form = CodeAdminForm
    list_display = ("code", "nomenclature", "category", "status", "revision", "updated_at")
    list_select_related = ("category",)
    list_filter = (CategoryListFilter, "status", "effective_year")
    search_fields = ("code", "nomenclature", "descriptor")
    autocomplete_fields = ("related_codes",)
    readonly_fields = ("revision", "created_at", "updated_at", "versions_by_date")
    inlines = (CodeRevisionInline,)
    list_per_page = 100
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "nomenclature",
                    "category",
                    "status",
                    "effective_year",
                    "deleted_year",
                    "revision",
                )
            },
        ),
        (
            "Content",
            {"fields": ("descriptor", "body", "documentation", "billing_tips", "related_codes")},
        ),
        ("This revision", {"fields": ("note", "base_revision")}),
        (
            "Versions by date of service",
            {
                "fields": ("versions_by_date",),
                "description": "The official text by date: follows the years and text above.",
            },
        ),
        ("Timestamps", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The number is the code's identity: a changed number is a new code.
        return ("code", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Codes are marked deleted (status and deleted year), never removed.
        return False

    @admin.display(description="versions")
    def versions_by_date(self, obj: Code) -> str:
        if not obj.pk:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (v.starts or "before records", v.ends or "still valid", v.status, v.nomenclature)
                for v in CodeVersion.objects.filter(code=obj).order_by("-valid_from")
            ),
        )
        return format_html(
            '<table id="code-versions"><thead><tr><th>valid from</th><th>valid until</th>'
            "<th>status</th><th>nomenclature</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def save_model(self, request, obj, form, change):
        saved = form.apply(actor=request.user)
        # The admin logs and redirects with this object: make it the saved row.
        obj.pk = saved.pk
        obj.revision = saved.revision
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the service saved the related codes (symmetric and
        # snapshotted). The history inline is read-only, so its formset saves nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


def _changed(revision: CodeRevision) -> str:
    return ", ".join(revision.changed_fields)


def _may_view_history(request) -> bool:
    user = request.user
    return any(
        user.has_perm(f"codes.{perm}") for perm in ("view_coderevision", "view_code", "change_code")
    )


@admin.register(CodeRevision)
class CodeRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Published history: read-only; an old revision comes back as a new one."""

    list_display = (
        "code",
        "revision",
        "published_at",
        "published_by",
        "changed",
        "restored_from",
        "note",
    )
    list_select_related = ("code", "published_by")
    search_fields = ("=code__code", "note")
    date_hierarchy = "published_at"
    ordering = ("code__code", "-revision")
    actions = ("restore_revision",)

    def has_view_permission(self, request, obj=None):
        return _may_view_history(request)

    @admin.display(description="changed fields")
    def changed(self, obj: CodeRevision) -> str:
        return _changed(obj)

    def has_restore_permission(self, request) -> bool:
        return request.user.has_perm("codes.change_code")

    @admin.action(description="Restore the selected revision", permissions=("restore",))
    def restore_revision(self, request, queryset):
        by_code: dict[str, list[CodeRevision]] = defaultdict(list)
        for revision in queryset.select_related("code"):
            by_code[revision.code.code].append(revision)
        for number, revisions in sorted(by_code.items()):
            if len(revisions) > 1:
                chosen = ", ".join(str(r.revision) for r in sorted(revisions, key=_revision_no))
                self.message_user(
                    request,
                    f"{number}: choose one revision to restore (you selected {chosen}).",
                    messages.ERROR,
                )
                continue
            old = revisions[0].revision
            try:
                new = code_revision_restore(code=number, revision=old, actor=request.user)
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"{number}: revision {old} cannot be restored: {' '.join(exc.messages)}",
                    messages.ERROR,
                )
                continue
            if new is None:
                self.message_user(
                    request,
                    f"{number} already shows that content (revision {old}); nothing was changed.",
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    f"{number}: revision {old} restored as revision {new.revision}.",
                    messages.SUCCESS,
                )


def _revision_no(revision: CodeRevision) -> int:
    return revision.revision
