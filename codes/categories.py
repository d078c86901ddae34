"""The CDT categories of service, with their official names and ranges.

Shipped with the project (a data migration loads them) so that an import of a
full code set finds every category it names.
"""

# (slug, name, range_start, range_end, parent slug, description)
CATEGORIES = [
    (
        "diagnostic",
        "Diagnostic",
        "D0100",
        "D0999",
        None,
        "Evaluations, imaging and tests that establish what the patient needs.",
    ),
    (
        "clinical-oral-evaluations",
        "Clinical Oral Evaluations",
        "D0120",
        "D0191",
        "diagnostic",
        "Periodic, limited, comprehensive and re-evaluations, and screenings.",
    ),
    (
        "diagnostic-imaging",
        "Diagnostic Imaging",
        "D0210",
        "D0709",
        "diagnostic",
        "Radiographs, cone beam CT, MRI, ultrasound and image capture or interpretation only.",
    ),
    (
        "tests-and-examinations",
        "Tests and Examinations",
        "D0411",
        "D0999",
        "diagnostic",
        "Point-of-care tests, pathology laboratory work and other diagnostic services.",
    ),
    (
        "preventive",
        "Preventive",
        "D1000",
        "D1999",
        None,
        "Prophylaxis, fluoride, sealants, space maintenance and counselling.",
    ),
    (
        "restorative",
        "Restorative",
        "D2000",
        "D2999",
        None,
        "Fillings, inlays, onlays, crowns and the services that go with them.",
    ),
    (
        "endodontics",
        "Endodontics",
        "D3000",
        "D3999",
        None,
        "Pulp therapy, root canal treatment, apexification and periradicular surgery.",
    ),
    (
        "periodontics",
        "Periodontics",
        "D4000",
        "D4999",
        None,
        "Surgical and non-surgical treatment of the gums and supporting bone.",
    ),
    (
        "prosthodontics-removable",
        "Prosthodontics, removable",
        "D5000",
        "D5899",
        None,
        "Complete and partial dentures, their adjustments, repairs and relines.",
    ),
    (
        "maxillofacial-prosthetics",
        "Maxillofacial Prosthetics",
        "D5900",
        "D5999",
        None,
        "Prostheses that replace or support missing facial and oral structures.",
    ),
    (
        "implant-services",
        "Implant Services",
        "D6000",
        "D6199",
        None,
        "Implant placement, abutments, implant-supported restorations and their upkeep.",
    ),
    (
        "prosthodontics-fixed",
        "Prosthodontics, fixed",
        "D6200",
        "D6999",
        None,
        "Fixed partial dentures (bridges): pontics and retainers.",
    ),
    (
        "oral-and-maxillofacial-surgery",
        "Oral and Maxillofacial Surgery",
        "D7000",
        "D7999",
        None,
        "Extractions, surgical procedures, fractures and other oral surgery.",
    ),
    (
        "orthodontics",
        "Orthodontics",
        "D8000",
        "D8999",
        None,
        "Limited, interceptive and comprehensive orthodontic treatment and retention.",
    ),
    (
        "adjunctive-general-services",
        "Adjunctive General Services",
        "D9000",
        "D9999",
        None,
        "Anesthesia, palliative care, consultations, drugs and other services.",
    ),
]


def categories_ensure(category_model) -> int:
    """Create or update the shipped categories; returns how many were created.

    Takes the model class so that a migration can pass its historical model.
    """
    created = 0
    by_slug = {}
    for position, (slug, name, start, end, parent, description) in enumerate(CATEGORIES):
        obj, was_created = category_model.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "range_start": start,
                "range_end": end,
                "parent": by_slug.get(parent),
                "description": description,
                "position": position,
            },
        )
        by_slug[slug] = obj
        created += was_created
    return created
