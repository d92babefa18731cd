"""Bearer tokens, principals and the security-relevant settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from servicekit.auth import ALGORITHM, Principal, TokenVerifier
from servicekit.clock import SystemClock
from servicekit.errors import Forbidden, Unauthorized
from servicekit.settings import DEV_JWT_SECRET, ServiceSettings


class IntakeSettings(ServiceSettings):
    """Shaped like a service's settings: its own prefix over the shared one."""

    model_config = SettingsConfigDict(env_prefix="FORVALT_INTAKE_", extra="ignore")

    service_name: str = "intake"
    http_port: int = 8001


SECRET = "a-test-secret-that-is-long-enough-0123456789"
ISSUER = "forvalt"
AUDIENCE = "forvalt"


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(SECRET, issuer=ISSUER, audience=AUDIENCE)


def signed(claims: dict[str, Any], secret: str = SECRET, algorithm: str = ALGORITHM) -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def valid_claims(**overrides: Any) -> dict[str, Any]:
    # Token lifetimes are checked by PyJWT against the machine's clock, so the claims are made on it too.
    now = SystemClock().now()
    claims: dict[str, Any] = {
        "sub": "kari",
        "municipality": "3426",
        "roles": ["caseworker"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(overrides)
    return claims


def test_issued_token_verifies_to_its_principal(verifier: TokenVerifier) -> None:
    token = verifier.issue(municipality="5032", roles=["leader", "caseworker"], subject="ola")

    principal = verifier.verify(token)

    assert principal == Principal(subject="ola", municipality="5032", roles=frozenset({"caseworker", "leader"}))


def test_hand_made_token_with_valid_claims_verifies(verifier: TokenVerifier) -> None:
    assert verifier.verify(signed(valid_claims())).municipality == "3426"


def test_token_signed_with_another_secret_is_unauthorized(verifier: TokenVerifier) -> None:
    other = TokenVerifier("another-secret-that-is-also-long-enough-xyz", issuer=ISSUER, audience=AUDIENCE)
    token = other.issue(municipality="3426", roles=["caseworker"])

    with pytest.raises(Unauthorized, match="invalid token"):
        verifier.verify(token)


def test_expired_token_is_unauthorized(verifier: TokenVerifier) -> None:
    token = verifier.issue(municipality="3426", roles=["caseworker"], ttl=timedelta(seconds=-1))

    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token)


def test_token_for_another_audience_is_unauthorized(verifier: TokenVerifier) -> None:
    token = TokenVerifier(SECRET, issuer=ISSUER, audience="somebody-else").issue(municipality="3426", roles=[])

    with pytest.raises(Unauthorized, match="invalid token"):
        verifier.verify(token)


def test_token_from_another_issuer_is_unauthorized(verifier: TokenVerifier) -> None:
    token = TokenVerifier(SECRET, issuer="elsewhere", audience=AUDIENCE).issue(municipality="3426", roles=[])

    with pytest.raises(Unauthorized, match="invalid token"):
        verifier.verify(token)


@pytest.mark.parametrize("claim", ["exp", "iss", "aud", "sub"])
def test_token_without_a_required_claim_is_unauthorized(verifier: TokenVerifier, claim: str) -> None:
    claims = valid_claims()
    del claims[claim]

    with pytest.raises(Unauthorized, match="invalid token"):
        verifier.verify(signed(claims))


def test_unsigned_token_is_unauthorized(verifier: TokenVerifier) -> None:
    token = jwt.encode(valid_claims(), key="", algorithm="none")

    with pytest.raises(Unauthorized):
        verifier.verify(token)


def test_garbage_token_is_unauthorized(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify("not-a-jwt")


def test_token_without_municipality_is_unauthorized(verifier: TokenVerifier) -> None:
    claims = valid_claims()
    del claims["municipality"]

    with pytest.raises(Unauthorized, match="municipality"):
        verifier.verify(signed(claims))


@pytest.mark.parametrize(
    "municipality",
    [
        "342",
        "34266",
        "34a6",
        3426,
        None,
        ["3426"],
        "\u00b9\u00b2\u00b3\u2074",  # superscript digits: str.isdigit() says yes
        "\u0663\u0664\u0662\u0666",  # Arabic-Indic digits
    ],
)
def test_token_whose_municipality_is_not_four_ascii_digits_is_unauthorized(
    verifier: TokenVerifier, municipality: Any
) -> None:
    with pytest.raises(Unauthorized, match="municipality"):
        verifier.verify(signed(valid_claims(municipality=municipality)))


@pytest.mark.parametrize("roles", ["caseworker", [1], {"caseworker": True}, [None]])
def test_token_whose_roles_are_not_a_list_of_strings_is_unauthorized(verifier: TokenVerifier, roles: Any) -> None:
    with pytest.raises(Unauthorized, match="roles"):
        verifier.verify(signed(valid_claims(roles=roles)))


@pytest.mark.parametrize(
    "subject",
    ["k" * 61, "k" * 100_000, "kari\x00", "kari\nnordmann", "", 12, None, ["kari"]],
)
def test_token_whose_subject_is_not_one_short_line_is_unauthorized(verifier: TokenVerifier, subject: Any) -> None:
    # The subject is written as "recorded by" into columns 60 characters wide: longer would be a database error.
    with pytest.raises(Unauthorized, match=r"(?i)sub"):
        verifier.verify(signed(valid_claims(sub=subject)))


def test_token_whose_subject_is_sixty_characters_verifies(verifier: TokenVerifier) -> None:
    assert verifier.verify(signed(valid_claims(sub="k" * 60))).subject == "k" * 60


@pytest.mark.parametrize("roles", [["caseworker"] * 21, ["case\x00worker"], ["r" * 61]])
def test_token_with_too_many_or_malformed_roles_is_unauthorized(verifier: TokenVerifier, roles: Any) -> None:
    with pytest.raises(Unauthorized, match="roles"):
        verifier.verify(signed(valid_claims(roles=roles)))


@pytest.mark.parametrize("unit", ["u" * 61, "home care", "home\x00care", 7])
def test_token_whose_unit_is_not_a_unit_code_is_unauthorized(verifier: TokenVerifier, unit: Any) -> None:
    with pytest.raises(Unauthorized, match="unit"):
        verifier.verify(signed(valid_claims(unit=unit)))


def test_token_without_roles_gives_a_principal_without_roles(verifier: TokenVerifier) -> None:
    claims = valid_claims()
    del claims["roles"]

    assert verifier.verify(signed(claims)).roles == frozenset()


def test_principal_with_one_of_the_roles_passes_require() -> None:
    principal = Principal(subject="kari", municipality="3426", roles=frozenset({"leader"}))

    principal.require("caseworker", "leader")  # raises on failure


def test_principal_without_the_role_is_forbidden_and_told_which_roles() -> None:
    principal = Principal(subject="kari", municipality="3426", roles=frozenset({"unit"}))

    with pytest.raises(Forbidden, match="caseworker") as caught:
        principal.require("caseworker")

    assert caught.value.status == 403


# --- settings -----------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("FORVALT_HTTP_PORT", "FORVALT_INTAKE_HTTP_PORT", "FORVALT_JWT_SECRET", "FORVALT_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_the_development_secret(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment="production", jwt_secret=DEV_JWT_SECRET)


def test_production_refuses_the_default_secret_when_none_is_configured(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment="production")


def test_production_accepts_a_real_secret(clean_env: pytest.MonkeyPatch) -> None:
    assert ServiceSettings(environment="production", jwt_secret=SECRET).jwt_secret == SECRET


def test_short_secret_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        ServiceSettings(jwt_secret="x" * 31)


def test_consumer_group_defaults_to_the_service_name(clean_env: pytest.MonkeyPatch) -> None:
    assert ServiceSettings(service_name="notification").consumer_group == "notification"
    assert ServiceSettings(service_name="notification", consumer_group="g").consumer_group == "g"


def test_service_specific_env_variable_beats_the_shared_one(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORVALT_HTTP_PORT", "9000")
    clean_env.setenv("FORVALT_INTAKE_HTTP_PORT", "9100")

    assert IntakeSettings().http_port == 9100


def test_shared_env_variable_applies_when_the_service_has_none(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORVALT_HTTP_PORT", "9000")

    assert IntakeSettings().http_port == 9000


def test_service_default_applies_without_env_variables(clean_env: pytest.MonkeyPatch) -> None:
    assert IntakeSettings().http_port == 8001


def test_shared_env_secret_is_checked_for_the_service_too(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORVALT_ENVIRONMENT", "production")

    with pytest.raises(ValidationError, match="jwt_secret"):
        IntakeSettings()


@given(token=st.text(max_size=300))
def test_any_text_as_a_token_is_unauthorized_never_another_error(token: str) -> None:
    verifier = TokenVerifier(SECRET, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(Unauthorized):
        verifier.verify(token)


@given(
    subject=st.one_of(st.text(max_size=100), st.integers(), st.none()),
    roles=st.one_of(st.lists(st.text(max_size=70), max_size=25), st.text(max_size=5)),
    unit=st.one_of(st.none(), st.text(max_size=70)),
)
def test_a_signed_token_with_any_claims_verifies_to_a_bounded_principal_or_is_unauthorized(
    subject: Any, roles: Any, unit: Any
) -> None:
    verifier = TokenVerifier(SECRET, issuer=ISSUER, audience=AUDIENCE)
    claims = valid_claims(sub=subject, roles=roles)
    if unit is not None:
        claims["unit"] = unit
    try:
        principal = verifier.verify(signed(claims))
    except Unauthorized:
        return
    assert 1 <= len(principal.subject) <= 60
    assert len(principal.roles) <= 20
    assert principal.unit is None or len(principal.unit) <= 60
