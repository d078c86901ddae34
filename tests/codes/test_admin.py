import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.forms import ModelMultipleChoiceField

from codes.models import Code, CodeRevision
from codes.services import code_update
from tests.factories import UserFactory, code_make

pytestmark = pytest.mark.django_db

CODES = "/admin/codes/code/"
REVISIONS = "/admin/codes/coderevision/"


@pytest.fixture
def superuser():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _staff(*perms: str):
    user = UserFactory(is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def catalog(categories):
    imaging = categories["diagnostic-imaging"]
    code_make(
        "D0340",
        category=imaging,
        nomenclature="2D cephalometric radiographic image",
        effective_year=2000,
    )
    code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound capture and interpretation",
        descriptor="Sound-wave imaging of soft tissue.",
        effective_year=2000,
    )
    code_make(
        "D0120",
        category=categories["clinical-oral-evaluations"],
        nomenclature="Periodic oral evaluation",
        effective_year=1990,
    )
    code_make("D1110", category=categories["preventive"], nomenclature="Prophylaxis – adult")
    code_make(
        "D0290",
        category=imaging,
        nomenclature="Skull and facial bone survey",
        status="deleted",
        deleted_year=2024,
    )
    return categories


def _form_data(response, **changes) -> dict:
    """What a browser would post back from an admin form page, with some changes."""
    assert response.status_code == 200, response.content[:500]
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None and isinstance(field, ModelMultipleChoiceField):
            continue  # an empty multiple select sends nothing
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in (*formset.management_form, *(bf for f in formset.forms for bf in f)):
            value = bound.value()
            if value is not None:
                data[bound.html_name] = value
    data.update(changes)
    return data


def _change_url(number: str) -> str:
    return f"{CODES}{Code.objects.get(code=number).pk}/change/"


def _results(response) -> list[str]:
    assert response.status_code == 200
    return sorted(code.code for code in response.context["cl"].result_list)


# --- Changelist --------------------------------------------------------------------


def test_changelist_search_by_code_and_words(admin_client, catalog):
    assert len(_results(admin_client.get(CODES))) == 5
    assert _results(admin_client.get(CODES, {"q": "d0370"})) == ["D0370"]
    assert _results(admin_client.get(CODES, {"q": "ultrasound"})) == ["D0370"]
    assert _results(admin_client.get(CODES, {"q": "soft tissue"})) == ["D0370"]


def test_changelist_category_filter_includes_subcategories(admin_client, catalog):
    assert _results(admin_client.get(CODES, {"category": "diagnostic"})) == [
        "D0120",
        "D0290",
        "D0340",
        "D0370",
    ]
    assert _results(admin_client.get(CODES, {"category": "preventive"})) == ["D1110"]
    assert _results(admin_client.get(CODES, {"category": "no-such-thing"})) == []
    page = admin_client.get(CODES).content.decode()
    assert "— Diagnostic Imaging" in page


def test_changelist_status_and_year_filters(admin_client, catalog):
    assert _results(admin_client.get(CODES, {"status__exact": "deleted"})) == ["D0290"]
    assert _results(admin_client.get(CODES, {"effective_year": "2000"})) == ["D0340", "D0370"]


def test_changelist_shows_the_listed_columns(admin_client, catalog):
    page = admin_client.get(CODES).content.decode()
    for column in ("column-code", "column-nomenclature", "column-category", "column-status"):
        assert column in page
    assert "column-revision" in page and "column-updated_at" in page


def test_category_changelist_counts_codes_with_subcategories(admin_client, catalog):
    response = admin_client.get("/admin/codes/category/", {"q": "diagnostic"})
    assert response.status_code == 200
    rows = {c.slug: c for c in response.context["cl"].result_list}
    model_admin = response.context["cl"].model_admin
    assert model_admin.code_count(rows["diagnostic"]) == 4
    assert model_admin.code_count(rows["diagnostic-imaging"]) == 3
    assert "D0100–D0999" in response.content.decode()


def test_category_add_page_prepopulates_the_slug(admin_client, categories):
    response = admin_client.get("/admin/codes/category/add/")
    assert response.status_code == 200
    assert "prepopulated" in response.content.decode()


# --- Add and change go through the service -------------------------------------------


def test_adding_a_code_writes_revision_one_published_by_the_admin(admin_client, superuser, catalog):
    imaging = catalog["diagnostic-imaging"]
    data = _form_data(
        admin_client.get(f"{CODES}add/"),
        code=" d0380 ",
        nomenclature="Cone beam CT image capture – limited field of view",
        descriptor="Less than one whole jaw.",
        category=imaging.pk,
        related_codes=[Code.objects.get(code="D0370").pk],
        status="active",
        effective_year="2025",
        note="Added for the 2025 code set.",
    )
    response = admin_client.post(f"{CODES}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    code = Code.objects.get(code="D0380")
    assert code.revision == 1
    assert code.effective_year == 2025
    revision = code.revisions.get()
    assert (revision.revision, revision.published_by) == (1, superuser)
    assert revision.note == "Added for the 2025 code set."
    assert revision.related_codes == ["D0370"]
    # Symmetric: D0370 lists it too.
    assert list(Code.objects.get(code="D0370").related_codes.values_list("code", flat=True)) == [
        "D0380"
    ]
    assert response["Location"] == CODES
    assert LogEntry.objects.get().object_id == str(code.pk)


def test_changing_a_code_writes_revision_two_with_the_related_codes(
    admin_client, superuser, catalog
):
    url = _change_url("D0370")
    d0340 = Code.objects.get(code="D0340")
    data = _form_data(
        admin_client.get(url),
        billing_tips="Report once per session.",
        related_codes=[d0340.pk],
        note="Billing tip from the forum.",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (2, "Report once per session.")
    revision = code.revisions.get(revision=2)
    assert revision.published_by == superuser
    assert revision.changed_fields == ["billing_tips", "related_codes"]
    assert revision.related_codes == ["D0340"]
    assert revision.note == "Billing tip from the forum."
    assert list(d0340.related_codes.values_list("code", flat=True)) == ["D0370"]

    # Taking the relation away again is a third revision, and symmetric too.
    data = _form_data(admin_client.get(url), related_codes=[])
    assert admin_client.post(url, data).status_code == 302
    assert code.revisions.get(revision=3).related_codes == []
    assert not d0340.related_codes.exists()


def test_saving_an_unchanged_code_writes_no_revision(admin_client, catalog):
    url = _change_url("D0370")
    response = admin_client.post(url, _form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert Code.objects.get(code="D0370").revision == 1
    assert CodeRevision.objects.filter(code__code="D0370").count() == 1


def test_the_code_number_and_revision_cannot_be_edited(admin_client, catalog):
    url = _change_url("D0370")
    form = admin_client.get(url).context["adminform"].form
    assert "code" not in form.fields
    assert "revision" not in form.fields
    data = _form_data(admin_client.get(url), code="D0999", revision="7", billing_tips="x")
    assert admin_client.post(url, data).status_code == 302
    code = Code.objects.get(pk=Code.objects.get(code="D0370").pk)
    assert (code.code, code.revision) == ("D0370", 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"effective_year": "1800"}, "effective_year", "1800 is not a plausible year"),
        ({"status": "deleted", "deleted_year": ""}, "deleted_year", "needs its deleted year"),
        ({"deleted_year": "2020"}, "deleted_year", "Only a deleted code has a deleted year"),
        ({"nomenclature": "   "}, "nomenclature", "This field is required."),
        ({"related_codes": "SELF"}, "related_codes", "cannot be related to itself"),
        ({"category": "999999"}, "category", "Select a valid choice"),
    ],
)
def test_bad_values_show_field_errors_not_a_500(admin_client, catalog, changes, field, message):
    url = _change_url("D0370")
    if changes.get("related_codes") == "SELF":
        changes["related_codes"] = [Code.objects.get(code="D0370").pk]
    response = admin_client.post(url, _form_data(admin_client.get(url), **changes))
    assert response.status_code == 200
    form = response.context["adminform"].form
    errors = form.errors.get(field, []) + form.non_field_errors()
    assert any(message in error for error in errors), form.errors
    assert Code.objects.get(code="D0370").revision == 1
    assert CodeRevision.objects.filter(code__code="D0370").count() == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [("X1234", "the letter D"), ("D0370", "already exists")],
)
def test_adding_a_bad_or_existing_number_is_a_field_error(admin_client, catalog, code, message):
    data = _form_data(
        admin_client.get(f"{CODES}add/"),
        code=code,
        nomenclature="Something",
        category=catalog["preventive"].pk,
        status="active",
    )
    response = admin_client.post(f"{CODES}add/", data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["adminform"].form.errors["code"])
    assert Code.objects.count() == 5


def test_a_form_opened_before_someone_elses_publish_is_refused(admin_client, catalog):
    url = _change_url("D0370")
    data = _form_data(admin_client.get(url), billing_tips="Mine")
    code_update(code="D0370", changes={"body": "Theirs"})  # published meanwhile
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "published as revision 2 after you opened revision 1" in str(
        response.context["adminform"].form.non_field_errors()
    )
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.body, code.billing_tips) == (2, "Theirs", "")


# --- History and restore --------------------------------------------------------------


def test_change_page_shows_the_revision_history_newest_first(admin_client, superuser, catalog):
    code_update(code="D0370", changes={"billing_tips": "Tip"}, actor=superuser, note="Tip added")
    response = admin_client.get(_change_url("D0370"))
    (inline,) = response.context["inline_admin_formsets"]
    assert [form.instance.revision for form in inline.formset.forms] == [2, 1]
    page = response.content.decode()
    assert "Tip added" in page and "revision history" in page.lower()
    assert "billing_tips" in page
    code = Code.objects.get(code="D0370")
    history = f"{REVISIONS}?code__id__exact={code.pk}"
    assert f'href="{history}"' in page
    listed = admin_client.get(history)
    assert sorted(r.revision for r in listed.context["cl"].result_list) == [1, 2]
    assert inline.has_add_permission is False
    assert inline.has_delete_permission is False
    assert inline.has_change_permission is False


def _restore(client, *revisions: CodeRevision):
    return client.post(
        REVISIONS,
        {"action": "restore_revision", "_selected_action": [r.pk for r in revisions]},
        follow=True,
    )


def test_restore_action_publishes_the_old_content_as_a_new_revision(
    admin_client, superuser, catalog
):
    code_update(code="D0370", changes={"billing_tips": "Wrong tip"})
    first = CodeRevision.objects.get(code__code="D0370", revision=1)
    response = _restore(admin_client, first)
    assert response.status_code == 200
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (3, "")
    newest = code.revisions.get(revision=3)
    assert (newest.restored_from, newest.published_by) == (1, superuser)
    assert "D0370: revision 1 restored as revision 3." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]

    response = _restore(admin_client, first)
    assert Code.objects.get(code="D0370").revision == 3
    assert any(
        "D0370 already shows that content" in str(m) for m in get_messages(response.wsgi_request)
    )


def test_restore_action_takes_one_revision_per_code(admin_client, catalog):
    code_update(code="D0370", changes={"billing_tips": "Tip 1"})
    code_update(code="D0370", changes={"billing_tips": "Tip 2"})
    code_update(code="D0340", changes={"billing_tips": "Tip"})
    d0370 = CodeRevision.objects.filter(code__code="D0370", revision__in=[1, 2])
    d0340 = CodeRevision.objects.get(code__code="D0340", revision=1)
    response = _restore(admin_client, *d0370, d0340)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "D0370: choose one revision to restore (you selected 1, 2)." in messages
    assert Code.objects.get(code="D0370").revision == 3
    assert Code.objects.get(code="D0340").revision == 3


def test_restore_needs_the_change_code_permission(client, catalog):
    code_update(code="D0370", changes={"billing_tips": "Wrong tip"})
    viewer = _staff("codes.view_code", "codes.view_coderevision")
    client.force_login(viewer)
    response = client.get(REVISIONS)
    assert response.status_code == 200
    assert "restore_revision" not in response.content.decode()
    _restore(client, CodeRevision.objects.get(code__code="D0370", revision=1))
    assert Code.objects.get(code="D0370").revision == 2

    editor = _staff("codes.view_code", "codes.change_code")
    client.force_login(editor)
    assert "restore_revision" in client.get(REVISIONS).content.decode()
    _restore(client, CodeRevision.objects.get(code__code="D0370", revision=1))
    code = Code.objects.get(code="D0370")
    assert code.revision == 3
    assert code.revisions.get(revision=3).published_by == editor


def test_revisions_are_read_only_in_the_admin(admin_client, catalog):
    revision = CodeRevision.objects.get(code__code="D0370")
    assert admin_client.get(f"{REVISIONS}add/").status_code == 403
    url = f"{REVISIONS}{revision.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.post(url, {"note": "edited"}).status_code == 403
    assert admin_client.post(f"{REVISIONS}{revision.pk}/delete/").status_code == 403
    revision.refresh_from_db()
    assert revision.note == ""


# --- Permissions and deletion ------------------------------------------------------------


def test_staff_without_permissions_cannot_see_or_change_codes(client, catalog):
    client.force_login(_staff())
    assert client.get(CODES).status_code == 403
    assert client.get(REVISIONS).status_code == 403
    url = _change_url("D0370")
    assert client.get(url).status_code == 403
    assert client.post(url, {"nomenclature": "Hacked"}).status_code == 403
    assert client.post(f"{CODES}add/", {"code": "D0999"}).status_code == 403
    assert Code.objects.get(code="D0370").revision == 1


def test_codes_cannot_be_deleted_in_the_admin(admin_client, catalog):
    code = Code.objects.get(code="D0370")
    assert admin_client.get(f"{CODES}{code.pk}/delete/").status_code == 403
    assert admin_client.post(f"{CODES}{code.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = admin_client.get(CODES)
    assert "delete_selected" not in changelist.content.decode()
    change_page = admin_client.get(_change_url("D0370")).content.decode()
    assert 'class="deletelink"' not in change_page
    assert f"{code.pk}/delete/" not in change_page
    response = admin_client.post(
        CODES, {"action": "delete_selected", "_selected_action": [code.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Code.objects.filter(code="D0370").exists()


def test_related_codes_are_picked_with_autocomplete(admin_client, catalog):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "codes", "model_name": "code", "field_name": "related_codes", "term": "037"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "D0370 Maxillofacial ultrasound capture and interpretation"
    ]
