"""The company's own formats: ID patterns an admin sets, and its own names, which may pass."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from router.pii.company import company_formats
from router.protect import find_personal_data


@pytest.fixture(autouse=True)
def fresh_formats():
    company_formats.cache_clear()
    yield
    company_formats.cache_clear()


def found(text: str) -> dict[str, str]:
    return {span.value: span.kind for span in find_personal_data(text)}


def test_a_company_id_format_from_the_settings_is_masked(settings):
    settings.PII_COMPANY_ID_PATTERNS = [r"KX\d{6}"]

    assert found("Ticket opened for KX204817 yesterday.")["KX204817"] == "ID"
    assert found("工单由KX204817提交。")["KX204817"] == "ID"


def test_the_company_own_names_may_pass(settings):
    settings.PII_OWN_ORGANISATIONS = ["Globex"]

    assert found("Globex Corporation thanks Initech LLC.") == {"Initech LLC": "ORG"}


def test_a_broken_pattern_fails_loudly(settings):
    settings.PII_COMPANY_ID_PATTERNS = [r"KX(\d{6}"]

    with pytest.raises(ImproperlyConfigured):
        find_personal_data("KX204817")
