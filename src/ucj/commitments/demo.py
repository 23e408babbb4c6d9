"""Synthetic commitments for the demo (issue 13 §9), labelled ``SINTETIS (demo)`` like the coverage story
(:data:`ucj.demo.story.SYNTHETIC`) and stored with ``synthetic=True``.

The story follows the December 2024 Sumsel meeting (shared/context): the province is supportive (a Pergub in force
for vulnerable workers and smallholders — 19,023 covered, 36,000 more planned for 2025, shared/domain.md §4.3 —
and a circular to the kab/kota on village institutions); seven kab/kota have a Perbup/Perwali in force, six a
draft, four only a plan; budgets 2024 of those with a regulation are largely spent, the others' barely; every
village reported its positions, against which the registry's RT and RW heads lag the perangkat desa (RT/RW
positions are several times as many); a few markets have their traders named in the registry; the meeting of
13 December 2024 left follow-up actions due in 2025, some done, some overdue. Numbers and instrument numbers are
invented; the national rows (Inpres 2/2021, SE Mendagri 842.2/5193/SJ) are real titles whose details must be
checked against the text.

Budget realisation is computed from paid bills, so the demo adds synthetic paid bills (no participants, labelled)
for the 2024 APBD allocations: they do not move anybody's paid-through date, so the coverage story is untouched.
Idempotent: nothing is loaded when the demo's meeting exists.
"""

from __future__ import annotations

import datetime as dt
import zlib

from django.conf import settings
from django.db import transaction

from ucj.commitments.institutions import is_kelurahan
from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    Meeting,
    Partner,
    VillageInstitution,
)
from ucj.contributions.models import Bill, Payment
from ucj.demo.story import CODES, SYNTHETIC
from ucj.regions.models import Region
from ucj.registry.models import Participant
from ucj.registry.status import active_since

YEAR = 2024  # the meeting's "this year"; 2025 allocations are planned, not yet spent
MEETING_DATE = dt.date(2024, 12, 13)
MEETING_TITLE = "Pertemuan Penyelenggara Program Jaminan Sosial Ketenagakerjaan bagi Kelembagaan Desa"
UNIT_COST = 16_800 * 12  # JKK + JKM, lowest BPU band, a year (shared/domain.md §1.5)

IN_FORCE = ("16.01", "16.03", "16.06", "16.07", "16.10", "16.12", "16.74")
DRAFT = ("16.02", "16.04", "16.08", "16.11", "16.71", "16.73")
PLANNED = ("16.05", "16.09", "16.13", "16.72")
#: Share of the 2024 allocation paid by December (kab/kota with a regulation spend more).
SPENT_IN_FORCE, SPENT_DRAFT = (0.92, 0.85, 0.97, 0.78, 0.88, 0.81, 0.9), (0.35, 0.22, 0.41, 0.18, 0.48, 0.3)
VILLAGE_GROUPS = ["bpd", "kepala_desa", "perangkat_desa", "pekerja_rentan", "rt", "rw"]
OFFICIALS_ONLY = ["bpd", "kepala_desa", "perangkat_desa"]  # some Perbup leave RT/RW out
CITY_GROUPS = ["pedagang_pasar", "pekerja_rentan", "rt", "rw"]


def _note(what: str) -> str:
    return f"{SYNTHETIC}: {what}"[:500]


def _pick(code: str, low: int, high: int) -> int:
    """A stable pseudo-random whole number in [low, high] for a region code."""
    return low + zlib.crc32(code.encode()) % (high - low + 1)


def load_commitments_demo() -> str:
    """Load the synthetic commitments once; returns a one-line summary."""
    if Meeting.objects.filter(date=MEETING_DATE, synthetic=True).exists():
        return "komitmen sudah dimuat / commitments already loaded"
    with transaction.atomic():
        names = dict(Region.objects.filter(code__in=CODES).values_list("code", "name"))
        instruments = _instruments(names)
        budgets, bills = _budgets()
        villages = _institutions()
        units = _units()
        actions = _meeting()
    return (f"komitmen: {instruments} regulasi, {budgets} anggaran ({bills} tagihan lunas sintetis), "
            f"{villages} desa/kelurahan dengan jabatan, {units} unit ekosistem, {actions} tindak lanjut")  # fmt: skip


def _instruments(names: dict[str, str]) -> int:
    rows = [
        Instrument(region=None, kind="instruksi", number="2 Tahun 2021", status="ditetapkan",
                   title="Optimalisasi Pelaksanaan Program Jaminan Sosial Ketenagakerjaan (Inpres)",
                   groups=["non_asn", "pekerja_rentan", "kepala_desa", "perangkat_desa"],
                   note=_note("baris rujukan nasional; kelompok diringkas, periksa teks Inpres")),
        Instrument(region=None, kind="surat_edaran", number="842.2/5193/SJ", status="ditetapkan",
                   title="Surat Edaran Menteri Dalam Negeri tentang jaminan sosial ketenagakerjaan",
                   groups=["kepala_desa", "perangkat_desa", "bpd", "rt", "rw"],
                   note=_note("baris rujukan nasional; tanggal dan isi periksa teks SE")),
        Instrument(region_id="16", kind="pergub", number="17 Tahun 2023", date=dt.date(2023, 8, 14),
                   status="ditetapkan", payer="apbd_provinsi", groups=["nelayan", "pekerja_rentan", "petani"],
                   title="Perlindungan jaminan sosial ketenagakerjaan bagi pekerja rentan",
                   note=_note("nomor rekaan")),
        Instrument(region_id="16", kind="surat_edaran", number="560/1234/Disnakertrans/2025",
                   date=dt.date(2025, 1, 20), status="ditetapkan", groups=VILLAGE_GROUPS,
                   title="Tindak lanjut rapat 13 Desember 2024: perlindungan kelembagaan desa",
                   note=_note("nomor rekaan")),
    ]  # fmt: skip
    for i, code in enumerate((*IN_FORCE, *DRAFT, *PLANNED)):
        city = code.split(".")[1] >= "71"
        status = "ditetapkan" if code in IN_FORCE else "draf" if code in DRAFT else "rencana"
        groups = CITY_GROUPS if city else (OFFICIALS_ONLY if i % 3 == 1 else VILLAGE_GROUPS)
        rows.append(Instrument(
            region_id=code, kind="perwali" if city else "perbup", status=status, groups=groups,
            number=f"{_pick(code, 3, 48)} Tahun {2022 + i % 3}" if status == "ditetapkan" else "",
            date=dt.date(2022 + i % 3, 1 + i % 12, 10) if status == "ditetapkan" else None,
            payer="apbd_kabkota", note=_note("nomor dan tanggal rekaan"),
            title=f"Perlindungan jaminan sosial ketenagakerjaan di {names.get(code, code)}",
        ))  # fmt: skip
    for row in rows:
        row.synthetic = True
    Instrument.objects.bulk_create(rows)
    return len(rows)


def _budgets() -> tuple[int, int]:
    """2024 allocations (with synthetic paid bills for what was spent) and 2025 plans."""
    lines: list[BudgetCommitment] = []
    spent: list[tuple[str, str, int]] = []  # (bill payer, region, rupiah paid in 2024)
    province_2024 = 19_023 * UNIT_COST  # the smallholders the province covers (shared/domain.md §4.3)
    lines.append(BudgetCommitment(region_id="16", year=YEAR, payer="apbd_provinsi", allocated=province_2024,
                                  workers=19_023, note=_note("pekebun sawit 19.023 orang")))  # fmt: skip
    spent.append(("apbd_provinsi", "16", province_2024 * 95 // 100))
    lines.append(BudgetCommitment(region_id="16", year=YEAR + 1, payer="apbd_provinsi",
                                  allocated=(19_023 + 36_000) * UNIT_COST, workers=19_023 + 36_000,
                                  note=_note("rencana 2025: 36.000 pekebun tambahan")))  # fmt: skip
    for code, share in (*zip(IN_FORCE, SPENT_IN_FORCE, strict=True), *zip(DRAFT, SPENT_DRAFT, strict=True)):
        workers = _pick(code, 4_000, 16_000) if code in IN_FORCE else _pick(code, 500, 3_000)
        if code == "16.06":
            workers = 14_121  # Muba: 88,958 → 103,079 participants, mostly APBD-paid villagers (§4.3)
        allocated = workers * UNIT_COST
        lines.append(BudgetCommitment(region_id=code, year=YEAR, payer="apbd_kabkota", allocated=allocated,
                                      workers=workers, note=_note("pagu rekaan")))  # fmt: skip
        lines.append(BudgetCommitment(region_id=code, year=YEAR + 1, payer="apbd_kabkota",
                                      allocated=allocated * 5 // 4, workers=workers * 5 // 4,
                                      note=_note("rencana 2025")))  # fmt: skip
        spent.append(("apbd_kabkota", code, int(allocated * share)))
    for code in ("16.11", "16.13"):  # a bantuan keuangan of the province to two smaller kabupaten (§6)
        lines.append(BudgetCommitment(region_id=code, year=YEAR + 1, payer="bantuan_keuangan",
                                      allocated=1_000 * UNIT_COST, workers=1_000,
                                      note=_note("bantuan keuangan provinsi")))  # fmt: skip
    lines.append(BudgetCommitment(region_id="16.06.01.2001", year=YEAR + 1, payer="apbdes", source="add",
                                  allocated=24 * UNIT_COST, workers=24, note=_note("APBDes Sukarami")))  # fmt: skip
    for line in lines:
        line.synthetic = True
    BudgetCommitment.objects.bulk_create(lines)
    return len(lines), _paid_bills(spent)


def _paid_bills(spent: list[tuple[str, str, int]]) -> int:
    """Eleven monthly bills (January–November 2024) per payer, paid on the 20th of the next month, adding up to the
    rupiah spent. Synthetic: no participants, labelled in their notes and payment references."""
    note = [{"code": "SYNTHETIC", "count": 0, "message": _note("tagihan rekaan untuk cerita komitmen, tanpa peserta")}]
    bills, amounts = [], []
    for payer, region, total in spent:
        for month in range(1, 12):
            amount = total // 11 + (total % 11 if month == 11 else 0)
            bills.append(Bill(payer=payer, region_id=region, month=dt.date(YEAR, month, 1), status=Bill.Status.PAID,
                              total=amount, government_total=amount, notes=note))  # fmt: skip
            amounts.append((amount, dt.date(YEAR, month + 1, 20)))
    created = Bill.objects.bulk_create(bills)
    Payment.objects.bulk_create(
        Payment(bill=bill, paid_through=dt.date(YEAR, bill.month.month, 28), amount=amount, paid_on=paid_on,
                reference=SYNTHETIC)
        for bill, (amount, paid_on) in zip(created, amounts, strict=True)
    )  # fmt: skip
    return len(created)


def _institutions() -> int:
    """Positions of every village, as villages report them: a desa has one kepala desa, 8–12 perangkat, 5–9 BPD
    members, 14–34 RT and 3–8 RW; a kelurahan 15–45 RT and 4–12 RW only (shared/domain.md §6)."""
    rows = []
    for code in Region.objects.filter(code__startswith="16.", level=4).values_list("code", flat=True):
        if is_kelurahan(code):
            rows.append(VillageInstitution(desa_id=code, rt=_pick(code, 15, 45), rw=_pick(code + "w", 4, 12)))
        else:
            rows.append(VillageInstitution(desa_id=code, kepala_desa=1, perangkat_desa=_pick(code, 8, 12),
                                           bpd=_pick(code + "b", 5, 9), rt=_pick(code + "t", 14, 34),
                                           rw=_pick(code + "w", 3, 8)))  # fmt: skip
    for row in rows:
        row.synthetic, row.source = True, _note("profil desa rekaan")[:250]
    VillageInstitution.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _units() -> int:
    """A market in the first village of each kab/kota, an UMKM group and a fishermen's group in Muba; the
    registry's market workers of three markets' villages are named as theirs (the roster column "Pasar")."""
    first: dict[str, str] = {}
    for code in Region.objects.filter(code__startswith="16.", level=4).order_by("code").values_list("code", flat=True):
        first.setdefault(code[:5], code)
    names = dict(Region.objects.filter(code__in=first.values()).values_list("code", "name"))
    units = [EcosystemUnit(kind="pasar", name=f"Pasar {names[desa]}", subtype="modern" if i % 5 == 4 else "tradisional",
                           desa_id=desa, manager="UPTD Pasar", workers=_pick(desa, 80, 600),
                           note=_note("pasar rekaan"))
             for i, desa in enumerate(first.values())]  # fmt: skip
    units += [
        EcosystemUnit(kind="umkm", name="Kelompok UMKM Sukarami Maju", desa_id="16.06.01.2001", workers=35,
                      manager="Ketua kelompok", note=_note("kelompok rekaan")),
        EcosystemUnit(kind="kelompok_nelayan", name="KUB Nelayan Sungai Musi", desa_id="16.06.01.2002", workers=28,
                      note=_note("kelompok rekaan")),
    ]  # fmt: skip
    for unit in units:
        unit.synthetic = True
    EcosystemUnit.objects.bulk_create(units)
    since = active_since(dt.date(YEAR, 12, 31), settings.UCJ_LAPSE_MONTHS)
    for unit in units[:3]:  # the registry's market workers of these villages name their market...
        named = Participant.objects.filter(desa_id=unit.desa_id, ecosystem="pasar")
        active = named.filter(paid_through__gte=since).count()
        Participant.objects.filter(pk__in=list(named.values_list("pk", flat=True))).update(unit_name=unit.name)
        if active:  # ...and these markets declare exactly their covered traders: the few markets covered
            EcosystemUnit.objects.filter(pk=unit.pk).update(workers=active)
    bank = Partner(region_id="16.06", name="Bank Sumsel Babel (rekaan)", kind="bank", agreement_kind="pks",
                   agreement_number="PKS/017/2024", agreement_date=dt.date(2024, 10, 2),
                   note=_note("perjanjian rekaan"), synthetic=True)  # fmt: skip
    market = Partner(region_id=units[0].desa_id[:5], name="Pengelola pasar (rekaan)", kind="pengelola_pasar",
                     unit=units[0], agreement_kind="mou", agreement_number="MOU/03/2025",
                     agreement_date=dt.date(2025, 2, 5), note=_note("perjanjian rekaan"), synthetic=True)  # fmt: skip
    Partner.objects.bulk_create([bank, market])
    return len(units)


def _meeting() -> int:
    """The 13 December 2024 meeting (Novotel Palembang; Ditjen Bina Pemerintahan Desa, Kemendagri) and its
    follow-up actions: the regulation, budget and village-institution commitments of each kab/kota."""
    meeting = Meeting.objects.create(
        region_id="16", date=MEETING_DATE, title=MEETING_TITLE, place="Hotel Novotel, Palembang",
        organiser="Ditjen Bina Pemerintahan Desa, Kementerian Dalam Negeri", synthetic=True,
        summary=_note("komitmen provinsi dan kab/kota melalui kebijakan dan regulasi, penganggaran dan kelembagaan "
                      "desa; fokus BPJS pada ekosistem desa, pasar, UMKM dan pekerja rentan (laporan rapat)"),
    )  # fmt: skip
    actions = [FollowUpAction(meeting=meeting, owner_id="16", decision="Surat edaran gubernur ke kab/kota tentang "
                              "perlindungan kelembagaan desa", due_date=dt.date(2025, 1, 31), status="selesai",
                              done_on=dt.date(2025, 1, 20))]  # fmt: skip
    for code in DRAFT:
        done = code in ("16.04",)
        actions.append(FollowUpAction(meeting=meeting, owner_id=code, due_date=dt.date(2025, 6, 30),
                                      decision="Menetapkan Perbup/Perwali perlindungan jaminan sosial ketenagakerjaan",
                                      status="selesai" if done else "berjalan",
                                      done_on=dt.date(2025, 6, 2) if done else None))  # fmt: skip
    for code in PLANNED:
        actions.append(FollowUpAction(meeting=meeting, owner_id=code, due_date=dt.date(2025, 3, 31),
                                      decision="Menyusun draf Perbup/Perwali dan usulan anggaran APBD 2025",
                                      status="rencana"))  # fmt: skip
    for i, code in enumerate(IN_FORCE[:4]):
        done = i < 2
        actions.append(FollowUpAction(meeting=meeting, owner_id=code, due_date=dt.date(2025, 12, 31),
                                      decision="Mendaftarkan seluruh ketua RT/RW melalui ADD",
                                      status="selesai" if done else "berjalan",
                                      done_on=dt.date(2025, 11, 28) if done else None))  # fmt: skip
    actions.append(FollowUpAction(meeting=meeting, owner_id="16.06.01.2001", due_date=dt.date(2025, 2, 28),
                                  decision="Memperbarui data jabatan kelembagaan desa", status="selesai",
                                  done_on=dt.date(2025, 2, 14)))  # fmt: skip
    for action in actions:
        action.synthetic = True
        action.note = _note("tindak lanjut rekaan")
    FollowUpAction.objects.bulk_create(actions)
    return len(actions)
