"""``ucj review …`` — the NIK conflict queue and transfer requests from the command line.

Listing needs no user (the command line sees every region, like an admin); a decision names the user who
takes it (``--as USERNAME``): the same services as the pages decide whether that user may, and audit it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ucj.cli.output import console, emit_json, fail
from ucj.cli.setup import boot

app = typer.Typer(help="NIK conflicts and transfer requests: list and decide.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", help="The user who decides (needs write scope over the region).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _user(username: str, as_json: bool) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"Pengguna tidak dikenal / unknown user: {username}", as_json=as_json)
    return user


@app.command("conflicts")
def conflicts(
    status: Annotated[str, typer.Option("--status", help="open, kept, replaced, rejected or all.")] = "open",
    as_json: Json = False,
) -> None:
    """NIK conflicts (a roster row whose NIK is registered to another person). NIKs are masked."""
    boot()
    from ucj.accounts.privacy import mask_nik
    from ucj.registry.models import NikConflict

    qs = NikConflict.objects.select_related("participant").order_by("-created_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    rows = [
        {"id": c.pk, "nik": mask_nik(c.participant.nik), "desa": c.participant.desa_id, "status": c.status,
         "batch": c.batch_id, "row": c.row}
        for c in qs[:1000]
    ]  # fmt: skip
    _show(rows, "{id} {nik} {desa}", "Tidak ada konflik / no conflicts", as_json)


@app.command("conflict")
def conflict(
    conflict_id: int = typer.Argument(...),
    decision: str = typer.Argument(..., help="keep, replace or reject."),
    username: AsUser = "",
    as_json: Json = False,
) -> None:
    """Decide one open NIK conflict as USERNAME (audited)."""
    boot()
    from ucj.registry.conflicts import DecisionRefused, decide_conflict
    from ucj.registry.models import NikConflict

    if not username:
        fail("Sebutkan --as USERNAME / give --as USERNAME", as_json=as_json, code="USAGE", exit_code=2)
    user = _user(username, as_json)
    found = NikConflict.objects.filter(pk=conflict_id).first()
    if found is None:
        fail(f"Konflik tidak ditemukan / conflict not found: {conflict_id}", as_json=as_json, code="NOT_FOUND")
    try:
        done = decide_conflict(found, decision, actor=user)
    except DecisionRefused as err:
        fail(str(err), as_json=as_json)
    _decided("Konflik / conflict", done, as_json)


@app.command("transfers")
def transfers(
    status: Annotated[str, typer.Option("--status", help="pending, approved, refused or all.")] = "pending",
    as_json: Json = False,
) -> None:
    """Transfer requests (a person registered in one village asked into another)."""
    boot()
    from ucj.registry.models import TransferRequest

    qs = TransferRequest.objects.order_by("-created_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    rows = [
        {"id": t.pk, "from": t.from_desa_id, "to": t.to_desa_id, "status": t.status, "batch": t.batch_id,
         "row": t.row}
        for t in qs[:1000]
    ]  # fmt: skip
    _show(rows, "{id} {from} → {to}", "Tidak ada permintaan / no requests", as_json)


@app.command("transfer")
def transfer(
    transfer_id: int = typer.Argument(...),
    decision: str = typer.Argument(..., help="approve or refuse."),
    username: AsUser = "",
    note: Annotated[str, typer.Option("--note", help="A note kept with the decision.")] = "",
    as_json: Json = False,
) -> None:
    """Approve or refuse one pending transfer as USERNAME (write scope over the person's current village)."""
    boot()
    from ucj.registry.models import TransferRequest
    from ucj.registry.transfers import TransferRefused, decide_transfer

    if not username or decision not in ("approve", "refuse"):
        fail("Pakai: transfer ID approve|refuse --as USERNAME / usage: transfer ID approve|refuse --as USERNAME",
             as_json=as_json, code="USAGE", exit_code=2)  # fmt: skip
    user = _user(username, as_json)
    found = TransferRequest.objects.filter(pk=transfer_id).first()
    if found is None:
        fail(f"Permintaan tidak ditemukan / request not found: {transfer_id}", as_json=as_json, code="NOT_FOUND")
    try:
        done = decide_transfer(found, decision == "approve", actor=user, note=note)
    except TransferRefused as err:
        fail(str(err), as_json=as_json)
    _decided("Permintaan / request", done, as_json)


def _show(rows: list[dict[str, Any]], head: str, empty: str, as_json: bool) -> None:
    """A listing as JSON, or one line a row (``head`` formats its first fields) with status, batch and row."""
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        console.print("#" + head.format(**r) + f" {r['status']} batch {r['batch']} row {r['row']}")
    if not rows:
        console.print(empty)


def _decided(label: str, done: Any, as_json: bool) -> None:
    if as_json:
        emit_json({"id": done.pk, "status": done.status})
    else:
        console.print(f"{label} #{done.pk}: {done.status}")
