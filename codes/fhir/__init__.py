"""FHIR R4 terminology operations over the CDT code set, by date of service.

`resources.py` builds the FHIR resources (plain dicts, JSON as FHIR wants it);
`views.py` answers HTTP with them; `urls.py` mounts them under /fhir/.
"""
