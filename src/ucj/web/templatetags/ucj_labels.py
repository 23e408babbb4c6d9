"""Human labels for codes that pages would otherwise show raw (issue 16 item 10): audit actions and payers.
The code stays in a tooltip (``title``) where a page shows the label."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ucj.registry.models import Payer

register = template.Library()

#: The audit trail's actions (``ucj.accounts.audit.record``); an action not listed shows its code.
ACTIONS = {
    "login": _("Masuk"), "login_failed": _("Gagal masuk"), "logout": _("Keluar"),
    "user_create": _("Akun dibuat"), "token_issued": _("Token API diterbitkan"),
    "token_revoked": _("Token API dicabut"),
    "import_roster": _("Daftar peserta diimpor"), "import_dry_run": _("Uji impor tanpa menyimpan"),
    "import_retry": _("Impor diulang"), "import_feed": _("Umpan BPJS dimuat"),
    "export_rejected_rows": _("Baris ditolak diunduh"), "participant_view": _("Data peserta dilihat"),
    "participant_search": _("Pencarian peserta"), "participant_update": _("Data peserta diubah"),
    "transfer_request": _("Permintaan pindah"), "nik_conflict_view": _("Konflik NIK dilihat"),
    "bill.create": _("Tagihan dibuat"), "bill.export": _("Tagihan diunduh"), "bill.pay": _("Tagihan dibayar lunas"),
    "bill.pay_part": _("Tagihan dibayar sebagian"), "bill.receipt": _("Kwitansi diunduh"),
    "participant.pay": _("Iuran peserta dibayar"), "rules.load": _("Aturan iuran dimuat"),
    "rules.update": _("Aturan iuran diubah"), "rules.delete": _("Aturan iuran dihapus"),
    "role_default.update": _("Bawaan peran desa diubah"), "role_default.delete": _("Bawaan peran desa dihapus"),
    "save_plan": _("Rencana anggaran disimpan"), "export_enrolment": _("Daftar pendaftaran diunduh"),
    "enrolment_view": _("Daftar pendaftaran dilihat"), "load_account_codes": _("Kode rekening dimuat"),
}  # fmt: skip


@register.filter
def action_label(action: str) -> str:
    """``bill.create`` → "Tagihan dibuat" (in the page's language); unknown actions keep their code."""
    return str(ACTIONS.get(action, action))


@register.filter
def payer_label(code: str) -> str:
    """``apbd_kabkota`` → "APBD kabupaten/kota"; unknown codes are shown as they are."""
    return str(Payer(code).label) if code in Payer.values else code


#: The stages an import reports while it runs (``ImportBatch.stage``).
STAGES = {
    "": _("antrian"), "reading": _("membaca berkas"), "validating": _("memeriksa baris"),
    "matching": _("mencocokkan NIK"), "writing": _("menyimpan"), "inserting": _("menambah peserta baru"),
    "updating": _("memperbarui peserta"), "findings": _("menyimpan temuan"), "done": _("selesai"),
}  # fmt: skip


@register.filter
def stage_label(stage: str | None) -> str:
    """An import's stage in the page's language (``writing`` → "menyimpan")."""
    return str(STAGES.get(stage or "", stage))


@register.filter
def field_label(field: str) -> str:
    """A registry field a roster column was read into, as its label (``birth_date`` → "tanggal lahir")."""
    from ucj.registry.models import Participant

    try:
        return str(getattr(Participant._meta.get_field(field), "verbose_name", field))
    except Exception:  # a column that is no model field (desa name, region code): its own name
        return str(COLUMN_FIELDS.get(field, field))


#: Roster columns that are read but stored elsewhere than a field of the same name.
COLUMN_FIELDS = {"desa_code": _("kode desa"), "desa_name": _("nama desa"), "kecamatan": _("kecamatan"),
                 "kabkota": _("kabupaten/kota")}  # fmt: skip


@register.filter(name="in_language")
def in_page_language(message: str) -> str:
    """A stored bilingual ``"indonesian / english"`` message (a batch's failure reason) in the page's language."""
    from django.utils.translation import get_language

    from ucj.bilingual import in_language

    return in_language(str(message or ""), get_language())


#: Import summaries the registry writes into the audit trail in English (ucj.registry.services): kept as stored,
#: relabelled when shown. ``file: N rows, N accepted|new, N updated, N rejected``.
_IMPORT_SUMMARY = re.compile(
    r"^(?P<file>.*: )?(?P<rows>\d+) rows, (?P<new>\d+) (?P<word>accepted|new), (?P<upd>\d+) updated, "
    r"(?P<rej>\d+) rejected$"
)


@register.filter
def audit_summary(summary: str) -> str:
    """An audit event's summary in the page's language (the import summaries; others as stored)."""
    found = _IMPORT_SUMMARY.match(summary or "")
    if not found:
        return summary
    numbers = {k: found.group(k) for k in ("rows", "new", "upd", "rej")}
    if found.group("word") == "accepted":
        text = gettext("%(rows)s baris, %(new)s diterima, %(upd)s diperbarui, %(rej)s ditolak") % numbers
    else:
        text = gettext("%(rows)s baris, %(new)s baru, %(upd)s diperbarui, %(rej)s ditolak") % numbers
    return (found.group("file") or "") + text
