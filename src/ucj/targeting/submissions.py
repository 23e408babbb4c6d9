"""The collective registration file for BPJS (issue 14 §4): the contacted people of a region in the columns the
branch wants (setting ``UCJ_TARGETING_SUBMISSION_COLUMNS``); they move to "submitted" and the file is kept."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ucj.accounts import audit
from ucj.accounts.privacy import views_for
from ucj.bulk import read_frame
from ucj.regions.models import in_region
from ucj.registry.models import Participant
from ucj.targeting import rules
from ucj.targeting.common import (
    PIPELINE_ROLES,
    TargetingRefused,
    TransitionRefused,
    _actor,
    _by_nik,
    _names,
    _region_or_404,
    _scope,
)
from ucj.targeting.exports import frame_bytes
from ucj.targeting.models import (
    Enrolment,
    EnrolmentEvent,
    ListPerson,
    Status,
    SubmissionFile,
)
from ucj.targeting.pipeline import _apply_moves
from ucj.targeting.worklists import _require, visible_enrolments

SUBMISSION_FIELDS = ("nik", "name", "birth_date", "sex", "occupation", "desa", "desa_name", "kecamatan", "kabkota",
                     "programs", "segment", "kpj", "decile", "sources", "phone", "address")  # fmt: skip


def submission_columns(spec: str | None = None) -> list[tuple[str, str]]:
    """The collective file's columns as (header, field) from the setting (docs/targeting.md)."""
    text = spec if spec is not None else settings.UCJ_TARGETING_SUBMISSION_COLUMNS
    columns = []
    for part in text.split("|"):
        header, _, name = part.partition("=")
        if name.strip() not in SUBMISSION_FIELDS:
            raise ValueError(f"UCJ_TARGETING_SUBMISSION_COLUMNS: unknown field {name.strip()!r} "
                             f"(known: {', '.join(SUBMISSION_FIELDS)})")  # fmt: skip
        columns.append((header.strip(), name.strip()))
    return columns


def submission_file(user: Any, region: str, *, ids: Sequence[int] | None = None, fmt: str = "xlsx",
                    request: HttpRequest | None = None) -> SubmissionFile:  # fmt: skip
    """The collective registration file for BPJS of the contacted people of ``region`` (or of ``ids`` among
    them); they move to "submitted". Columns: setting ``UCJ_TARGETING_SUBMISSION_COLUMNS``; xlsx or csv. Needs full
    NIKs (BPJS registers by NIK): callers without a full export view are refused."""
    scope = _scope(user)
    code = _region_or_404(region)
    _require(scope, PIPELINE_ROLES, code, "membuat berkas pendaftaran")
    if fmt not in ("xlsx", "csv"):
        raise TransitionRefused("Format: xlsx atau csv / format: xlsx or csv")
    if not scope.everywhere and not views_for(scope, code, "export").full_nik:
        raise TargetingRefused("Berkas pendaftaran memerlukan NIK lengkap / the file needs full NIKs")
    qs = visible_enrolments(user).filter(in_region("desa_id", code, villages_only=True),
                                         status__in=list(rules.SUBMISSION_FROM)).order_by("desa_id", "priority")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    people = read_frame(qs, {"id": pl.Int64, "nik": pl.String, "name": pl.String, "birth_date": pl.Date,
                             "desa_id": pl.String, "decile": pl.Int16, "sources": pl.String, "kpj": pl.String,
                             "status": pl.String}).rename({"desa_id": "desa"})  # fmt: skip
    if people.is_empty():
        raise TransitionRefused("Tidak ada orang berstatus 'sudah dihubungi' / nobody is in status 'contacted'")
    columns = submission_columns()
    table = _submission_frame(people).select([pl.col(name).alias(header) for header, name in columns])
    content = frame_bytes(table, fmt, "Pendaftaran kolektif")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        sub = SubmissionFile.objects.create(
            region_id=code, created_by=_actor(user), file_name=f"pendaftaran-kolektif-{code}-{stamp}.{fmt}",
            fmt=fmt, people=people.height, columns=[h for h, _ in columns],
            sha256=hashlib.sha256(content).hexdigest(), content=content,
        )  # fmt: skip
        _apply_moves(people.select("id", "status", pl.lit(Status.SUBMITTED.value).alias("to")),
                     EnrolmentEvent.Via.SUBMISSION, user, sub.file_name)  # fmt: skip
        Enrolment.objects.filter(pk__in=people["id"].to_list()).update(submission=sub)
        audit.record("targeting.submission_file", actor=_actor(user), request=request, object_type="submission_file",
                     object_id=sub.pk, region_code=code, summary=f"{sub.people} orang diajukan ({fmt})")  # fmt: skip
    return sub


def _submission_frame(people: pl.DataFrame) -> pl.DataFrame:
    """Every field a collective-file column may name (:data:`SUBMISSION_FIELDS`). An enrolment keeps no sex or
    occupation of its own: ``sex`` is the NIK's (day + 40 = P), else the lists' or the registry's when the NIK's day
    is no date; ``occupation`` the lists' (first non-empty), else the registry's; ``birth_date`` the enrolment's, else
    the registry's — a person put on a worklist from a budget plan, or whose list was replaced since, is often only
    in the registry."""
    niks = people["nik"].to_list()
    listed = _by_nik(ListPerson.objects.order_by("nik", "id"), niks, {"nik": pl.String, "occupation": pl.String,
                     "sex": pl.String}).filter(pl.col("occupation") != "").unique("nik", keep="first")  # fmt: skip
    registry = _by_nik(Participant.objects.order_by(), niks, {
        "nik": pl.String, "phone": pl.String, "address": pl.String, "occupation": pl.String, "sex": pl.String,
        "birth_date": pl.Date}).rename({"occupation": "_job", "sex": "_sex", "birth_date": "_born"})  # fmt: skip
    codes = people["desa"].unique().to_list()
    names = _names([*codes, *{c[:8] for c in codes}, *{c[:5] for c in codes}])
    day = pl.col("nik").str.slice(6, 2).cast(pl.Int32, strict=False)
    given = pl.coalesce(pl.col("sex").replace("", None), pl.col("_sex").replace("", None), pl.lit(""))
    return people.join(listed, on="nik", how="left").join(registry, on="nik", how="left").with_columns(
        pl.when(day.is_between(41, 71)).then(pl.lit("P")).when(day.is_between(1, 31)).then(pl.lit("L"))
        .otherwise(given).alias("sex"),
        pl.col("desa").replace_strict(names, default="").alias("desa_name"),
        pl.col("desa").str.slice(0, 8).replace_strict(names, default="").alias("kecamatan"),
        pl.col("desa").str.slice(0, 5).replace_strict(names, default="").alias("kabkota"),
        pl.lit("JKK, JKM").alias("programs"), pl.lit("BPU").alias("segment"),
        pl.coalesce(pl.col("occupation").replace("", None), pl.col("_job").replace("", None), pl.lit(""))
        .alias("occupation"), pl.col("phone").fill_null(""), pl.col("address").fill_null(""),
        pl.coalesce("birth_date", "_born").alias("birth_date"),
    )  # fmt: skip


def submission_files(user: Any) -> QuerySet[SubmissionFile]:
    """Collective files of the regions the user reaches."""
    return SubmissionFile.objects.filter(_scope(user).region_q("region_id")).defer("content")
