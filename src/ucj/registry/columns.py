"""Recognising roster columns from the headers village and market operators actually write (pure).

Each canonical field lists its usual Indonesian (and English) headers. Headers are compared after folding
case, punctuation and spaces, so ``No. KTP``, ``NO KTP`` and ``no_ktp`` are the same header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor ktp", "ktp", "no induk kependudukan",
            "nomor induk kependudukan", "nik peserta", "nik pekerja", "id number"),
    "name": ("nama", "nama lengkap", "nama peserta", "nama pekerja", "nama anggota", "nama sesuai ktp", "name",
             "full name", "nama tenaga kerja"),
    "birth_date": ("tgl lahir", "tanggal lahir", "tgl lhr", "tanggal lhr", "birth date", "date of birth", "dob",
                   "tempat tanggal lahir", "tempat tgl lahir", "ttl", "tempat lahir tanggal lahir"),
    "sex": ("l p", "lp", "jenis kelamin", "jk", "kelamin", "sex", "gender", "l pr"),
    "position": ("jabatan", "pekerjaan", "profesi", "jenis pekerjaan", "jabatan pekerjaan", "kedudukan",
                 "occupation", "position", "jabatan di desa", "status pekerjaan"),
    "desa": ("desa", "kelurahan", "desa kelurahan", "kelurahan desa", "nama desa", "desa kel", "kel desa",
             "nama kelurahan", "village"),
    "kecamatan": ("kecamatan", "kec", "nama kecamatan", "district"),
    "kabkota": ("kabupaten", "kab kota", "kabupaten kota", "kota", "kab", "regency"),
    "village_code": ("kode desa", "kode wilayah", "kode desa kelurahan", "kode kelurahan", "kd desa",
                     "kode kemendagri", "village code"),
    "phone": ("no hp", "nomor hp", "hp", "no telp", "no telepon", "nomor telepon", "telepon", "no wa",
              "nomor wa", "whatsapp", "no hp wa", "phone"),
    "income": ("penghasilan", "pendapatan", "upah", "gaji", "penghasilan per bulan", "penghasilan bulan",
               "siltap", "penghasilan tetap", "upah gaji", "income", "wage", "penghasilan rp", "upah rp"),
    "address": ("alamat", "alamat lengkap", "alamat domisili", "address"),
    "segment": ("segmen", "segmen kepesertaan", "kategori kepesertaan", "jenis kepesertaan", "segment"),
    "ecosystem": ("ekosistem", "ecosystem"),
    "payer": ("pembayar", "sumber dana", "sumber iuran", "sumber pendanaan", "dibayar oleh", "payer"),
    "programs": ("program", "program jaminan", "jaminan", "program bpjs", "programs"),
    "kpj": ("kpj", "no kpj", "nomor kpj", "no kartu bpjs", "nomor kartu bpjs", "no peserta bpjs"),
    "coverage_start": ("tmt", "tmt kepesertaan", "tanggal kepesertaan", "mulai kepesertaan", "tgl daftar",
                       "tanggal daftar", "coverage start"),
    "paid_through": ("dibayar sampai", "iuran dibayar sampai", "iuran sampai", "iuran s d", "lunas s d", "lunas sampai",
                     "masa iuran sampai", "bayar sampai", "paid through"),
    "poverty_decile": ("desil", "desil kesejahteraan", "desil dtsen", "poverty decile", "decile"),
    "employer_sector": ("sektor usaha", "bidang usaha", "sektor industri", "jenis industri", "jenis usaha",
                        "sektor usaha pemberi kerja", "bidang usaha perusahaan", "sektor perusahaan",
                        "employer sector", "industry"),
    "employer_size": ("jumlah pekerja", "jumlah karyawan", "jumlah tenaga kerja", "jml pekerja", "jml karyawan",
                      "jumlah pekerja perusahaan", "jumlah karyawan perusahaan", "employer size", "employees",
                      "number of employees"),
    # The ecosystem unit (issue 13 §4): a market, UMKM group, cooperative, fishermen's or farmers' group.
    "unit_name": ("pasar", "nama pasar", "kelompok", "nama kelompok", "unit", "nama unit", "unit ekosistem",
                  "kelompok usaha", "nama kelompok usaha", "koperasi", "nama koperasi", "kelompok nelayan",
                  "kelompok tani", "market", "group"),
}  # fmt: skip

FIELD_LABELS = {
    "nik": "NIK", "name": "Nama", "birth_date": "Tanggal lahir", "sex": "Jenis kelamin",
    "position": "Jabatan/pekerjaan", "desa": "Desa/kelurahan", "kecamatan": "Kecamatan",
    "kabkota": "Kabupaten/kota", "village_code": "Kode desa", "phone": "No. HP", "income": "Penghasilan",
    "address": "Alamat", "segment": "Segmen", "ecosystem": "Ekosistem", "payer": "Pembayar iuran",
    "programs": "Program", "kpj": "No. KPJ", "coverage_start": "TMT kepesertaan",
    "paid_through": "Iuran dibayar sampai", "poverty_decile": "Desil", "employer_sector": "Sektor usaha",
    "employer_size": "Jumlah pekerja", "unit_name": "Pasar/kelompok",
}  # fmt: skip


def fold_header(text: object) -> str:
    """``'No. KTP '`` → ``'no ktp'``; ``'Jenis_Kelamin (L/P)'`` → ``'jenis kelamin l p'``."""
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


_LOOKUP = {fold_header(alias): name for name, aliases in ALIASES.items() for alias in aliases}


def field_for(header: object) -> str | None:
    """The canonical field a header names, or None."""
    key = fold_header(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    # Headers with a trailing unit or note: "Penghasilan (Rp/bulan)", "Jenis Kelamin (L/P)".
    stripped = re.sub(r"\s*\(.*$", "", str(header or ""))
    key2 = fold_header(stripped)
    return _LOOKUP.get(key2)


@dataclass
class ColumnMap:
    """Which spreadsheet column feeds which field, and which columns were ignored."""

    used: dict[str, int] = field(default_factory=dict)  # field -> column index
    headers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        return self.headers[self.used[name]] if name in self.used else FIELD_LABELS.get(name, name)

    def describe(self) -> dict[str, object]:
        return {
            "used": {name: self.headers[i] for name, i in self.used.items()},
            "ignored": self.ignored,
            "headers": self.headers,
        }


def map_columns(headers: list[str]) -> ColumnMap:
    """Map header cells to fields; the first column wins when two name the same field."""
    cmap = ColumnMap(headers=[str(h or "").strip() for h in headers])
    for i, header in enumerate(cmap.headers):
        name = field_for(header)
        if name and name not in cmap.used:
            cmap.used[name] = i
        elif header:
            cmap.ignored.append(header)
    return cmap


def header_score(cells: list[object]) -> tuple[bool, int]:
    """(has a NIK column, number of recognised headers) — used to find the header row under title rows."""
    names = [field_for(c) for c in cells if str(c or "").strip()]
    return "nik" in names, sum(1 for n in names if n)
