"""``ucj users …`` — accounts for scripts and set-up."""

from __future__ import annotations

import sys

import typer

from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help="admin, provinsi, kabkota, desa, bpjs or viewer."),
    region: str = typer.Option(None, "--region", help="Region code the role covers (not for admin)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a user (or add a role to an existing one) bound to a region."""
    boot()
    from django.core.exceptions import ValidationError

    from ucj.accounts.services import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = create_user(username, role=role, region=region, password=password)
    except (ValueError, ValidationError) as err:
        fail("; ".join(getattr(err, "messages", [str(err)])), as_json=as_json)
    if as_json:
        emit_json({"username": user.username, "role": role, "region": region})
    else:
        console.print(f"Pengguna / user {user.username}: {role} {region or '*'}")


@app.command("token")
def token(
    username: str = typer.Argument(...),
    name: str = typer.Option("cli", "--name", help="A label for the token."),
) -> None:
    """Print a new API token for USERNAME (shown once; use as 'Authorization: Bearer TOKEN')."""
    boot()
    from django.contrib.auth import get_user_model

    from ucj.accounts import audit
    from ucj.accounts.models import ApiToken

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}")
    row, clear = ApiToken.issue(user, name)
    audit.record("token_issued", object_type="user", object_id=user.pk, summary=f"token {row.prefix}… ({name})")
    sys.stdout.write(clear + "\n")
