"""``ucj users …`` — accounts for scripts and set-up."""

from __future__ import annotations

import sys
from typing import Annotated, Any

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
    revoke_all: Annotated[bool, typer.Option("--revoke-all", help="Revoke every token of USERNAME instead.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List USERNAME's tokens (as 'ucj users tokens').")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --list or --revoke-all: print JSON.")] = False,
) -> None:
    """Print a new API token for USERNAME (shown once; use as 'Authorization: Bearer TOKEN').

    Tokens expire after UCJ_TOKEN_DAYS days (default 90). --revoke-all revokes every token of the user;
    --list shows them (name, prefix, state, created, last used, expiry — never the token)."""
    boot()
    from ucj.accounts import audit
    from ucj.accounts.models import ApiToken
    from ucj.accounts.tokens import revoke_all as revoke

    if revoke_all and list_only:
        fail("Pilih --revoke-all atau --list / give --revoke-all or --list, not both", as_json=as_json, code="USAGE",
             exit_code=2)  # fmt: skip
    user = _user(username, as_json)
    if list_only:
        _print_tokens(user, as_json)
        return
    if revoke_all:
        count = revoke(user)
        if as_json:
            emit_json({"username": user.username, "revoked": count})
        else:
            console.print(f"{count} token dicabut / revoked for {user.username}")
        return
    row, clear = ApiToken.issue(user, name)
    audit.record("token_issued", object_type="user", object_id=user.pk, summary=f"token {row.prefix}… ({name})",
                 changes={"expires_at": row.expires_at.isoformat() if row.expires_at else None})  # fmt: skip
    sys.stdout.write(clear + "\n")


@app.command("tokens")
def tokens(
    username: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List USERNAME's API tokens: name, prefix, state, created, last used, expiry (never the token itself)."""
    boot()
    _print_tokens(_user(username, as_json), as_json)


def _user(username: str, as_json: bool) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}", as_json=as_json)
    return user


def _print_tokens(user: Any, as_json: bool) -> None:
    from rich.table import Table

    from ucj.accounts.tokens import list_tokens

    rows = list_tokens(user)
    if as_json:
        emit_json(rows)
        return

    def when(value: Any) -> str:
        return f"{value:%Y-%m-%d %H:%M}" if value else "—"

    table = Table("Nama / name", "Awalan / prefix", "Status", "Dibuat / created", "Terakhir dipakai / last used",
                  "Kedaluwarsa / expires", title=f"Token API {user.username}")  # fmt: skip
    for t in rows:
        table.add_row(t["name"], f"{t['prefix']}…", t["state"], when(t["created_at"]), when(t["last_used_at"]),
                      when(t["expires_at"]))  # fmt: skip
    console.print(table)
