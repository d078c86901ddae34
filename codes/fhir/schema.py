"""drf-spectacular hook: put the `$` back in the FHIR operations' paths.

The schema generator simplifies each URL pattern as a regular expression and so
drops `$` (an anchor there); FHIR's operation names start with it.
"""

OPERATION_PATHS = ("/fhir/CodeSystem/", "/fhir/ValueSet/")


def restore_operation_dollar(result, generator, request, public):
    paths = result.get("paths", {})
    for path in list(paths):
        prefix = next((p for p in OPERATION_PATHS if path.startswith(p)), None)
        if prefix and not path[len(prefix) :].startswith("$"):
            paths[f"{prefix}${path[len(prefix) :]}"] = paths.pop(path)
    return result
