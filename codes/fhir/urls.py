"""/fhir/… (included by cdtsite/urls.py)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import views

urlpatterns = [
    path("metadata", views.MetadataApi.as_view(), name="fhir-metadata"),
    path("CodeSystem/$lookup", views.LookupApi.as_view(), name="fhir-lookup"),
    path("CodeSystem/$validate-code", views.ValidateCodeApi.as_view(), name="fhir-validate-code"),
    path("ValueSet/$expand", views.ExpandApi.as_view(), name="fhir-expand"),
    # Exempt: a POST to an unknown path should learn it is not supported, not fail CSRF.
    path("", csrf_exempt(views.not_found_view)),
    path("<path:rest>", csrf_exempt(views.not_found_view)),
]
