"""The company's own formats: ID patterns from the settings and from the admin, and its own
names, which may pass while customers' and suppliers' names are masked."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured

from router.models import CompanyIdPattern, OwnOrganisation
from router.pii.company import forget_company_formats
from router.protect import PlaceholderMap, find_personal_data, protect_request


@pytest.fixture(autouse=True)
def fresh_formats():
    forget_company_formats()
    yield
    forget_company_formats()


def found(text: str) -> dict[str, str]:
    return {span.value: span.kind for span in find_personal_data(text)}


def next_request(question: str) -> str:
    """What the protect stage of a request with this question lets leave."""
    protected = protect_request(
        question=question, context="", passages=(), history=(), mapping=PlaceholderMap(), known_names=()
    )
    return protected.question


def test_a_company_id_format_from_the_settings_is_masked(settings):
    settings.PII_COMPANY_ID_PATTERNS = [r"KX\d{6}"]

    assert found("Ticket opened for KX204817 yesterday.")["KX204817"] == "ID"
    assert found("工单由KX204817提交。")["KX204817"] == "ID"


def test_the_company_own_names_may_pass(settings):
    settings.PII_OWN_ORGANISATIONS = ["Globex"]

    assert found("Globex Corporation thanks Initech LLC.") == {"Initech LLC": "ORG"}


def test_a_broken_pattern_in_the_settings_fails_loudly(settings):
    settings.PII_COMPANY_ID_PATTERNS = [r"KX(\d{6}"]

    with pytest.raises(ImproperlyConfigured):
        find_personal_data("KX204817")


@pytest.mark.django_db
def test_a_pattern_the_admin_adds_is_masked_from_the_next_request_in_both_languages():
    assert "NW20481K" in next_request("Who owns badge NW20481K?")

    CompanyIdPattern.objects.create(name="badge", regex=r"NW\d{5}[A-Z]", example="NW20481K")

    assert next_request("Who owns badge NW20481K?") == "Who owns badge <ID_1>?"
    assert next_request("工牌NW20481K是谁的？") == "工牌<ID_1>是谁的？"


@pytest.mark.django_db
def test_a_disabled_or_deleted_pattern_stops_masking():
    pattern = CompanyIdPattern.objects.create(name="badge", regex=r"NW\d{5}[A-Z]", example="NW20481K")
    assert "NW20481K" not in next_request("Badge NW20481K")

    pattern.enabled = False
    pattern.save()
    assert "NW20481K" in next_request("Badge NW20481K")

    pattern.delete()
    assert "NW20481K" in next_request("Badge NW20481K")


@pytest.mark.django_db
def test_an_admin_pattern_keeps_its_kind():
    CompanyIdPattern.objects.create(
        name="contract", kind=CompanyIdPattern.Kind.ACCOUNT, regex=r"CTR/\d{4}/\d{3}", example="CTR/2026/014"
    )

    assert next_request("Contract CTR/2026/014 renews in May.") == "Contract <ACCOUNT_1> renews in May."


@pytest.mark.django_db
def test_own_names_from_the_admin_pass_and_customers_are_masked_in_both_languages():
    OwnOrganisation.objects.create(name="Northwind Robotics")
    OwnOrganisation.objects.create(name="北风机器人")

    english = next_request("Northwind Robotics Ltd signed with Contoso Holdings.")
    chinese = next_request("北风机器人有限公司与星辰软件有限公司签约。")

    assert english == "Northwind Robotics Ltd signed with <ORG_1>."
    assert chinese.startswith("北风机器人有限公司") and "星辰软件" not in chinese


@pytest.mark.django_db
def test_an_own_name_does_not_let_a_longer_word_pass():
    OwnOrganisation.objects.create(name="Globex")

    assert "Globexa" not in next_request("Globexa Holdings invoiced us.")


# --- the admin pages ----------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x-Unused-9"))
    return client


def add_pattern(admin_client, regex: str, example: str):
    return admin_client.post(
        "/admin/router/companyidpattern/add/",
        {"name": "employee number", "kind": "ID", "regex": regex, "example": example, "enabled": "on"},
    )


def test_the_admin_saves_a_sound_pattern(admin_client):
    response = add_pattern(admin_client, r"E\d{6}", "E204817")

    assert response.status_code == 302
    assert CompanyIdPattern.objects.get().regex == r"E\d{6}"


@pytest.mark.parametrize(
    ("regex", "example", "reason"),
    [
        (r"E(\d{6}", "E204817", "not a regular expression"),
        (r"a)|(b", "a", "not a regular expression"),
        (r"E\d{6}", "E20481", "does not match its example"),
        (r"\d{4,}", "20481", "too broad"),
        (r"[A-Za-z]+", "Alpha", "too broad"),
        (r"[0-9.]+", "1.2", "too broad"),
        (r"(?:X\d+)+", "X1X2", "repeated group"),
        (r"(?:E\d{6})?", "E204817", "empty string"),
    ],
)
def test_the_admin_refuses_a_pattern_that_would_not_work(admin_client, regex, example, reason):
    response = add_pattern(admin_client, regex, example)

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not CompanyIdPattern.objects.exists()


@pytest.mark.parametrize(
    ("name", "reason"), [("Ltd", "legal form"), ("有限公司", "legal form"), ("AB", "too short")]
)
def test_the_admin_refuses_an_own_name_that_would_let_everyone_pass(admin_client, name, reason):
    response = admin_client.post("/admin/router/ownorganisation/add/", {"name": name})

    assert response.status_code == 200 and reason in response.content.decode()
    assert not OwnOrganisation.objects.exists()


def test_the_admin_lists_the_patterns_and_the_allow_list(admin_client):
    CompanyIdPattern.objects.create(name="badge", regex=r"NW\d{5}[A-Z]", example="NW20481K")
    OwnOrganisation.objects.create(name="北风机器人")

    patterns = admin_client.get("/admin/router/companyidpattern/").content.decode()
    names = admin_client.get("/admin/router/ownorganisation/").content.decode()

    assert "NW20481K" in patterns and "badge" in patterns
    assert "北风机器人" in names
