"""The FHIR resources the terminology API answers with, as JSON-ready dicts.

FHIR JSON has no empty arrays and no nulls: elements without a value are left out.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

CDT_SYSTEM = "http://www.ada.org/cdt"
CDT_VALUE_SET = "http://www.ada.org/cdt?fhir_vs"
FHIR_VERSION = "4.0.1"
OPERATIONS = {
    "CodeSystem": (
        ("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"),
        ("validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"),
    ),
    "ValueSet": (("expand", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand"),),
}


def capability_statement(*, base_url: str, day: datetime.date) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": day.isoformat(),
        "publisher": "CDT Codes",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "CDT Codes terminology API"},
        "implementation": {
            "description": (
                "CDT dental procedure codes as in force on a date of service (`date`)."
            ),
            "url": base_url,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Anonymous and read-only.",
                "resource": [
                    {
                        "type": resource_type,
                        "operation": [
                            {"name": name, "definition": definition}
                            for name, definition in operations
                        ],
                    }
                    for resource_type, operations in OPERATIONS.items()
                ],
            }
        ],
    }


def parameters(*items: dict | None) -> dict:
    return {"resourceType": "Parameters", "parameter": [item for item in items if item]}


def lookup_parameters(*, edition: int, nomenclature: str, descriptor: str, status: str) -> dict:
    """$lookup's answer: name, version (the edition), display, the descriptor as a
    designation, and the status as properties."""
    designation = None
    if descriptor:
        designation = {
            "name": "designation",
            "part": [
                {"name": "language", "valueCode": "en"},
                {"name": "value", "valueString": descriptor},
            ],
        }
    return parameters(
        {"name": "name", "valueString": "CDT"},
        {"name": "version", "valueString": str(edition)},
        {"name": "display", "valueString": nomenclature},
        designation,
        _property("status", valueCode=status),
        _property("inactive", valueBoolean=status != "active"),
    )


def _property(code: str, **value) -> dict:
    return {
        "name": "property",
        "part": [{"name": "code", "valueCode": code}, {"name": "value", **value}],
    }


def validate_parameters(
    *, result: bool, edition: int | None, display: str = "", message: str = ""
) -> dict:
    return parameters(
        {"name": "result", "valueBoolean": result},
        {"name": "display", "valueString": display} if display else None,
        {"name": "version", "valueString": str(edition)} if edition else None,
        {"name": "message", "valueString": message} if message else None,
    )


def expansion(
    *,
    rows: Iterable[tuple[str, str]],
    total: int,
    offset: int,
    count: int,
    edition: int | None,
    day: datetime.date,
    text: str,
    now: datetime.datetime,
) -> dict:
    """$expand's answer: the CDT value set's codes in force on `day` matching `text`."""
    version = str(edition) if edition else None
    contains = [
        {"system": CDT_SYSTEM, **({"version": version} if version else {}), "code": c, "display": d}
        for c, d in rows
    ]
    used = f"{CDT_SYSTEM}|{version}" if version else CDT_SYSTEM
    expansion_parameters = [
        {"name": "used-codesystem", "valueUri": used},
        {"name": "date", "valueDateTime": day.isoformat()},
        {"name": "count", "valueInteger": count},
        {"name": "offset", "valueInteger": offset},
    ]
    if text:
        expansion_parameters.append({"name": "filter", "valueString": text})
    body: dict = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": now.isoformat(timespec="seconds"),
        "total": total,
        "offset": offset,
        "parameter": expansion_parameters,
    }
    if contains:
        body["contains"] = contains
    return {
        "resourceType": "ValueSet",
        "url": CDT_VALUE_SET,
        "name": "CDT",
        "title": "All CDT codes",
        "status": "active",
        "expansion": body,
    }


def operation_outcome(*, code: str, message: str, expression: str = "") -> dict:
    """An error: `code` is FHIR's issue type (invalid, not-found, not-supported, …)."""
    issue = {
        "severity": "error",
        "code": code,
        "diagnostics": message,
        "details": {"text": message},
    }
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
