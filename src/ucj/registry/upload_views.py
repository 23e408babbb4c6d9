"""The roster upload page (with its second step for a file imported before) and the retry of a failed import."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ucj.accounts import audit
from ucj.accounts.scoping import REGISTRY_WRITE_ROLES, scope_for
from ucj.bilingual import in_language
from ucj.regions.models import Region
from ucj.registry.entry_views import HELD_KEY, preview_limit, show_preview
from ucj.registry.forms import ConfirmRepeatForm, UploadForm, too_large_message
from ucj.registry.jobs import hold_upload, queue_roster_import, retry_import, take_held_upload
from ucj.registry.reimport import batches_visible_to, earlier_import
from ucj.registry.services import ImportRefused

#: The session key of an upload waiting for a confirmation ("save" after the preview, or "import anyway").

def _upload_regions(request: HttpRequest) -> list[tuple[str, str]]:
    scope = scope_for(request.user)
    if scope.everywhere:
        qs = Region.objects.filter(level__lte=2)
    else:
        codes = [c for r, c in scope.grants if r in REGISTRY_WRITE_ROLES and c]
        qs = Region.objects.filter(code__in=codes)
    return [(r.code, f"{r.code} {r.name}") for r in qs.order_by("code")[:600]]


def _upload_form(request: HttpRequest) -> UploadForm:
    """The upload form; a user who writes for one region has it chosen (an operator's one desa)."""
    choices = _upload_regions(request)
    only = choices[0][0] if len(choices) == 1 and not scope_for(request.user).everywhere else ""
    return UploadForm(request.POST or None, request.FILES or None, region_choices=choices, initial={"region": only})


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a roster: it is stored and imported by the worker. A file whose content was already imported
    into a batch the user can see needs a second step (tick "import anyway")."""
    scope = scope_for(request.user)
    if not scope.can(REGISTRY_WRITE_ROLES):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm_repeat(request)
    if request.method == "POST" and getattr(request, "upload_too_large", False):
        # The upload handler refused the body beyond UCJ_MAX_UPLOAD_MB: nothing of it was stored.
        form = UploadForm(region_choices=_upload_regions(request))
        return render(request, "registry/upload.html", {"form": form, "upload_error": too_large_message(),
                      "max_upload_mb": settings.UCJ_MAX_UPLOAD_MB}, status=413)  # fmt: skip
    form = _upload_form(request)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"] or None
        if region and not scope.can(REGISTRY_WRITE_ROLES, region):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        data = upload.read()
        if form.cleaned_data["preview"] and len(data) <= preview_limit():
            return show_preview(request, data, upload.name, region)  # the outcome first, then "save"
        earlier = earlier_import(hashlib.sha256(data).hexdigest(), request.user)
        if earlier is not None:
            drop_held(request)
            token = hold_upload(data)
            request.session[HELD_KEY] = {"token": token, "name": upload.name[:255], "region": region}
            confirm = ConfirmRepeatForm(initial={"token": token})
            return render(request, "registry/upload_repeat.html",
                          {"earlier": earlier, "confirm": confirm, "file_name": upload.name})  # fmt: skip
        batch = queue_roster_import(data, upload.name, user=request.user, region=region,
                                    address=audit.client_address(request))  # fmt: skip
        return redirect("registry:import", pk=batch.pk)
    return render(request, "registry/upload.html", {"form": form, "max_upload_mb": settings.UCJ_MAX_UPLOAD_MB})


def _confirm_repeat(request: HttpRequest) -> HttpResponse:
    held = request.session.get(HELD_KEY) or {}
    confirm = ConfirmRepeatForm(request.POST, repeat=held.get("repeat", True))
    if "cancel" in request.POST or not held or request.POST.get("token") != held.get("token"):
        drop_held(request)
        if "cancel" not in request.POST:
            messages.error(request, _("Unggahan itu sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect("registry:upload")
    if not confirm.is_valid():
        earlier = earlier_import_for_token(request, held)
        return render(request, "registry/upload_repeat.html",
                      {"earlier": earlier, "confirm": confirm, "file_name": held.get("name", "")})  # fmt: skip
    region = held.get("region")
    if region and not scope_for(request.user).can(REGISTRY_WRITE_ROLES, region):
        raise PermissionDenied
    data = take_held_upload(held["token"])
    request.session.pop(HELD_KEY, None)
    if data is None:
        messages.error(request, _("Unggahan itu sudah tidak tersedia; unggah berkasnya lagi."))
        return redirect("registry:upload")
    batch = queue_roster_import(data, held.get("name") or "upload", user=request.user, region=region,
                                address=audit.client_address(request))  # fmt: skip
    return redirect("registry:import", pk=batch.pk)


def earlier_import_for_token(request: HttpRequest, held: dict[str, str]) -> object:
    """The earlier batch shown again when the confirmation was sent without the box ticked."""
    from ucj.registry.jobs import upload_dir

    path = upload_dir("pending") / f"{held.get('token', '')}.bin"
    try:
        return earlier_import(hashlib.sha256(path.read_bytes()).hexdigest(), request.user)
    except OSError:
        return None


def drop_held(request: HttpRequest) -> None:
    held = request.session.pop(HELD_KEY, None) or {}
    if held.get("token"):
        take_held_upload(held["token"])  # deletes the held file


@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed import again (its file still kept, e.g. after the worker died) or say to upload again."""
    batch = batches_visible_to(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    if not scope_for(request.user).can(REGISTRY_WRITE_ROLES, batch.region_id) and batch.user_id != request.user.pk:
        raise PermissionDenied
    try:
        retry_import(batch, user=request.user, request=request)
    except ImportRefused as err:
        messages.error(request, in_language(str(err), get_language()))  # the CLI and API keep both
    return redirect("registry:import", pk=batch.pk)
