"""Two lists and a BPJS file for Desa Sukarami (16.06.01.2001), with the candidates computed by hand.

DTSEN 2025 (deciles) and the village's population export (OpenSID style, occupations) share Budi; BPJS (as of
1 Nov 2026) reports Ani active, Joko "non-aktif", Hasan "Tidak Aktif" under a longer name, and a NIK nobody
else holds; the registry holds Lina, paid through October 2026 (active on 30 Nov 2026 under the 3-month rule).

==================  ============  ======  =============================  ===================================
NIK                 name          decile  lists / BPJS / registry        outcome on 2026-11-30
==================  ============  ======  =============================  ===================================
1606014101900012    Siti Aminah   —       population (Ketua RT 02)       candidate 1 (village role first)
1606011505850003    Budi Santoso  1       DTSEN + population (dup)       candidate 2
1606010101800005    Joko Susilo   2       DTSEN; BPJS non-aktif          candidate 3 (lapsed: reactivation)
1606012303880008    Hasan Basri   —       population; BPJS tidak aktif   candidate 4 (unknown decile last);
                                                                         name disagreement (BPJS)
1606015203920004    Ani Rahma     3       DTSEN; BPJS AKTIF              excluded: active
1606015010900010    Lina          —       population; registry active    excluded: active
1606014404950006    Dewi Lestari  1       DTSEN, occupation PNS          excluded: asn
1606010505750009    Rahmat        —       population, occupation TNI     excluded: tni_polri
1606010202120007    Anak Muda     1       DTSEN, born 2012               excluded: under_age
1606011212900011    Orang Lain    —       BPJS only                      unknown to lists and registry
==================  ============  ======  =============================  ===================================
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ucj.registry.models import Participant

SUKARAMI = "16.06.01.2001"
AS_OF = dt.date(2026, 11, 30)
BPJS_AS_OF = dt.date(2026, 11, 1)

DTSEN = """Data Tunggal Sosial Ekonomi Nasional — ekstrak Kab. Musi Banyuasin
NIK;Nama;Tanggal Lahir;Jenis Kelamin;Kode Desa;Desil;Pekerjaan
1606011505850003;Budi Santoso;15-05-1985;L;16.06.01.2001;1;Petani
1606015203920004;Ani Rahma;12-03-1992;P;16.06.01.2001;3;Pedagang
1606010101800005;Joko Susilo;01-01-1980;L;16.06.01.2001;2;Buruh harian lepas
1606014404950006;Dewi Lestari;04-04-1995;P;16.06.01.2001;1;PNS
1606010202120007;Anak Muda;02-02-2012;L;16.06.01.2001;1;
"""

POPULATION = """NIK,NAMA,TANGGAL LAHIR,JENIS KELAMIN,PEKERJAAN,DUSUN
1606011505850003,BUDI SANTOSO,15-05-1985,L,Petani,Dusun I
1606014101900012,Siti Aminah,01-01-1990,P,Ketua RT 02,Dusun I
1606012303880008,Hasan Basri,23-03-1988,L,Nelayan,Dusun II
1606010505750009,Rahmat,05-05-1975,L,Tentara Nasional Indonesia (TNI),Dusun II
1606015010900010,Lina,10-10-1990,P,Wiraswasta,Dusun II
"""

BPJS = """NIK,No KPJ,Nama Peserta,Tgl Lahir,Segmen,Status Kepesertaan,Bulan Terakhir Bayar
1606015203920004,24010000004,Ani Rahma,12-03-1992,BPU,AKTIF,10-2026
1606010101800005,24010000005,Joko Susilo,01-01-1980,BPU,non-aktif,05-2026
1606012303880008,24010000008,Hasan Basri Bin Umar,23-03-1988,BPU,Tidak Aktif ,01-2026
1606011212900011,24010000011,Orang Lain,12-12-1990,BPU,Aktif,10-2026
"""

EXPECTED_ORDER = ["1606014101900012", "1606011505850003", "1606010101800005", "1606012303880008"]
EXPECTED_EXCLUDED = {"active": 2, "asn": 1, "tni_polri": 1, "under_age": 1}


def add_lina() -> Participant:
    """Lina in the registry, paid through October 2026: active on 30 November 2026."""
    return Participant.objects.create(nik="1606015010900010", name="Lina", desa_id=SUKARAMI,
                                      paid_through=dt.date(2026, 10, 31))  # fmt: skip


def load_world(user: Any = None) -> dict[str, Any]:
    """Load both lists and the BPJS file (as ``user``; None = the operator) and return the reports."""
    from ucj.targeting import services

    add_lina()
    dtsen = services.import_list(DTSEN.encode(), "dtsen.csv", source="DTSEN 2025", user=user, region="16.06")
    population = services.import_list(POPULATION.encode(), "penduduk.csv", source="Penduduk Sukarami", user=user,
                                      region=SUKARAMI)  # fmt: skip
    bpjs = services.import_bpjs(BPJS.encode(), "bpjs.csv", as_of=BPJS_AS_OF, user=user)
    return {"dtsen": dtsen, "population": population, "bpjs": bpjs}
