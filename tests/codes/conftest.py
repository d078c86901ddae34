import pytest

from codes.importing import SAMPLE_DATA_PATH, codes_import_csv


@pytest.fixture
def sample_codes(categories):
    """The shipped sample code set, imported the way `load_sample_data` does."""
    return codes_import_csv(path_or_file=SAMPLE_DATA_PATH)
