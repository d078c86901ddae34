from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _perms(group: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.select_related("content_type")
    }


def test_setup_roles_creates_the_four_groups_with_exactly_their_permissions():
    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Reviewers",
        "Publishers",
        "Experts",
        "Expert leads",
    }
    reviewers, publishers = _perms("Reviewers"), _perms("Publishers")
    assert "contributions.verify_submission" in reviewers
    assert "contributions.publish_submission" not in reviewers
    assert "contributions.publish_submission" in publishers
    assert "contributions.verify_submission" not in publishers
    # Yearly releases: the same people, the same separation of duties.
    assert "contributions.verify_release" in reviewers
    assert "contributions.publish_release" not in reviewers
    assert "contributions.publish_release" in publishers
    assert "contributions.verify_release" not in publishers
    # Nobody gets to edit codes or submissions directly: changes go through the workflow.
    for perms in (reviewers, publishers):
        assert not {p for p in perms if p.split(".")[1].startswith(("add_", "change_", "delete_"))}
    assert "Reviewers: created" in out.getvalue()


def test_setup_roles_is_idempotent_and_resets_drifted_permissions():
    call_command("setup_roles", stdout=StringIO())
    reviewers = Group.objects.get(name="Reviewers")
    reviewers.permissions.add(Permission.objects.get(codename="delete_code"))
    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert "codes.delete_code" not in _perms("Reviewers")
    assert Group.objects.filter(name="Reviewers").count() == 1
    assert "Reviewers: up to date" in out.getvalue()


def test_reviewer_permissions_open_the_review_queue_in_the_admin(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/contributions/submission/").status_code == 200
    assert client.get("/admin/codes/code/").status_code == 200
    assert client.get("/admin/codes/code/add/").status_code == 403
