"""Issues development tokens: python -m servicekit.tokens --municipality 3426 --role caseworker"""

from __future__ import annotations

from typing import Annotated

import typer

from servicekit.auth import ROLES, TokenVerifier
from servicekit.settings import ServiceSettings

app = typer.Typer(add_completion=False, help=__doc__)


@app.command()
def issue(
    *,
    municipality: Annotated[str, typer.Option(help="4-digit municipality number, e.g. 3426")],
    role: Annotated[list[str], typer.Option(help="a role; repeat for several")] = ["caseworker"],  # noqa: B006
    subject: Annotated[str, typer.Option(help="who the token is for")] = "dev-user",
    hours: Annotated[int, typer.Option(min=1, max=24 * 30)] = 12,
    unit: Annotated[str | None, typer.Option(help="unit code, for the role 'unit'")] = None,
    person_id: Annotated[str | None, typer.Option(help="pseudonymous person id, for the role 'person'")] = None,
) -> None:
    """Print a signed bearer token for the configured (development) secret."""
    from datetime import timedelta  # noqa: PLC0415

    if len(municipality) != 4 or not municipality.isdigit():
        raise typer.BadParameter("must be 4 digits", param_hint="--municipality")
    unknown = set(role) - ROLES
    if unknown:
        raise typer.BadParameter(f"unknown role(s) {sorted(unknown)}; known: {sorted(ROLES)}", param_hint="--role")
    settings = ServiceSettings()
    verifier = TokenVerifier(settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    typer.echo(
        verifier.issue(
            municipality=municipality,
            roles=role,
            subject=subject,
            unit=unit,
            person_id=person_id,
            ttl=timedelta(hours=hours),
        )
    )


if __name__ == "__main__":
    app()
