import pytest

from tests.factories import code_make


@pytest.fixture
def d0370(imaging):
    return code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound",
        descriptor="Ultrasound of the *maxillofacial* soft tissue.",
        billing_tips="Before you bill:\n- one unit per visit\n- both sides count once",
    )


@pytest.fixture
def d0340(imaging):
    return code_make("D0340", category=imaging, nomenclature="2D cephalometric radiographic image")
