"""Row-level findings of a roster import: stable codes with Indonesian and English messages (pure).

Codes are part of the public contract (CLI ``--json``, API, rejected-rows workbook): never rename one.
Messages may take ``{placeholders}`` filled from the finding's ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class IssueType:
    code: str
    severity: Severity
    id: str  # Bahasa Indonesia
    en: str


_TYPES = [
    # --- file-level (the whole file is refused; exit code 1) ---
    IssueType("FILE_EMPTY", "error", "Berkas kosong.", "The file is empty."),
    IssueType(
        "FILE_NOT_SPREADSHEET",
        "error",
        "Berkas bukan spreadsheet yang dikenal ({value}). Unggah .xlsx, .xls atau .csv.",
        "The file is not a known spreadsheet ({value}). Upload .xlsx, .xls or .csv.",
    ),
    IssueType(
        "FILE_PASSWORD",
        "error",
        "Berkas Excel dilindungi kata sandi. Buka di Excel, hapus kata sandinya, simpan, lalu unggah lagi.",
        "The Excel file is password-protected. Open it in Excel, remove the password, save and upload again.",
    ),
    IssueType("FILE_UNREADABLE", "error", "Berkas tidak dapat dibaca: {value}.", "The file cannot be read: {value}."),
    IssueType(
        "FILE_NO_NIK_COLUMN",
        "error",
        "Tidak ada kolom NIK (judul kolom seperti 'NIK' atau 'No. KTP'). Judul yang terbaca: {value}.",
        "No NIK column (a header such as 'NIK' or 'No. KTP'). Headers found: {value}.",
    ),
    IssueType(
        "FILE_NO_ROWS",
        "error",
        "Tidak ada baris data di bawah judul kolom.",
        "There are no data rows below the header row.",
    ),
    # --- NIK (UU 23/2006 jo. UU 24/2013 Pasal 13; structure per shared/domain.md §5) ---
    IssueType("NIK_MISSING", "error", "NIK kosong.", "NIK is empty."),
    IssueType(
        "NIK_LENGTH",
        "error",
        "NIK harus 16 digit, terisi {extra} digit ('{value}').",
        "NIK must have 16 digits, found {extra} ('{value}').",
    ),
    IssueType(
        "NIK_CHARS",
        "error",
        "NIK hanya boleh berisi angka; ditemukan '{extra}' di '{value}'.",
        "NIK may contain digits only; found '{extra}' in '{value}'.",
    ),
    IssueType(
        "NIK_EXCEL_FLOAT",
        "error",
        "NIK rusak oleh Excel (tersimpan sebagai angka, digit terakhir hilang: {value}). Format kolom NIK "
        "sebagai Teks (atau awali dengan tanda kutip ') lalu ketik ulang NIK dari KTP/KK.",
        "NIK damaged by Excel (stored as a number, last digits lost: {value}). Format the NIK column as "
        "Text (or prefix it with an apostrophe ') and retype the NIK from the ID card/family card.",
    ),
    IssueType(
        "NIK_DATE",
        "error",
        "Tanggal lahir di dalam NIK (digit 7–12) tidak valid: {extra}.",
        "The birth date inside the NIK (digits 7–12) is not a real date: {extra}.",
    ),
    IssueType(
        "NIK_SERIAL",
        "error",
        "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
        "The NIK serial (last 4 digits) cannot be 0000.",
    ),
    IssueType(
        "NIK_REGION_UNKNOWN",
        "warning",
        "Kode wilayah NIK {value} tidak ada di data Kemendagri terbaru (bisa kode lama sebelum pemekaran).",
        "NIK region prefix {value} is not in the current Kemendagri list (may be a pre-split code).",
    ),
    # --- other fields ---
    IssueType("NAME_MISSING", "error", "Nama kosong.", "Name is empty."),
    IssueType(
        "DATE_INVALID",
        "error",
        "Tanggal '{value}' tidak dapat dibaca (contoh format: 13-12-1980).",
        "Date '{value}' cannot be read (example format: 13-12-1980).",
    ),
    IssueType(
        "SEX_INVALID",
        "warning",
        "Jenis kelamin '{value}' tidak dikenal (gunakan L atau P); diabaikan.",
        "Sex '{value}' not recognised (use L or P); ignored.",
    ),
    IssueType(
        "NUMBER_INVALID",
        "warning",
        "Angka '{value}' tidak dapat dibaca; diabaikan.",
        "Number '{value}' cannot be read; ignored.",
    ),
    IssueType(
        "SECTOR_UNKNOWN",
        "warning",
        "Sektor usaha '{value}' tidak dikenal; diabaikan (keringanan JKK PP 7/2025 tidak diterapkan). Gunakan: "
        "tekstil, alas kaki, kulit, furnitur, makanan dan minuman, mainan anak, atau lainnya.",
        "Employer sector '{value}' is not recognised; ignored (the PP 7/2025 JKK relief is not applied). Use: "
        "textile, footwear, leather, furniture, food, toys or other.",
    ),
    IssueType(
        "EMPLOYEES_INVALID",
        "warning",
        "Jumlah pekerja '{value}' bukan bilangan bulat 0 atau lebih; diabaikan (keringanan JKK PP 7/2025 tidak "
        "diterapkan).",
        "Number of workers '{value}' is not a whole number of 0 or more; ignored (the PP 7/2025 JKK relief is not "
        "applied).",
    ),
    IssueType(
        "VALUE_UNKNOWN",
        "warning",
        "Nilai '{value}' tidak dikenal untuk kolom ini; diabaikan.",
        "Value '{value}' is not recognised for this column; ignored.",
    ),
    IssueType(
        "BIRTHDATE_MISMATCH",
        "warning",
        "Tanggal lahir di daftar ({value}) berbeda dengan tanggal di NIK ({extra}); NIK tidak diubah.",
        "Birth date in the roster ({value}) differs from the one in the NIK ({extra}); the NIK is kept.",
    ),
    IssueType(
        "SEX_MISMATCH",
        "warning",
        "Jenis kelamin di daftar ({value}) berbeda dengan yang tersirat di NIK ({extra}).",
        "Sex in the roster ({value}) differs from the one implied by the NIK ({extra}).",
    ),
    IssueType(
        "DUPLICATE_IN_FILE",
        "error",
        "NIK sama dengan baris {extra}; hanya baris {extra} yang dipakai.",
        "Same NIK as row {extra}; only row {extra} is kept.",
    ),
    # --- who the NIK belongs to (checked against the registry while writing) ---
    IssueType(
        "NIK_NOT_AVAILABLE",
        "error",
        "NIK ini tidak dapat dipakai untuk wilayah Anda; baris tidak disimpan dan tidak ada data terdaftar yang "
        "diubah. Jika orang ini pindah ke desa Anda, ajukan permintaan pindah dari halaman batch ini.",
        "This NIK cannot be used for your region; the row was not saved and no registered record was changed. "
        "If this person moved to your village, request a transfer from this batch's page.",
    ),
    IssueType(
        "NIK_CONFLICT",
        "error",
        "NIK ini terdaftar atas orang lain (nama atau tanggal lahir berbeda); data terdaftar tidak ditimpa. "
        "Baris ini masuk antrean tinjauan konflik NIK.",
        "This NIK is registered to another person (a different name or birth date); the registered record was "
        "not overwritten. The row went to the NIK conflict review queue.",
    ),
    # --- region ---
    IssueType(
        "REGION_MISSING",
        "error",
        "Desa/kelurahan tidak diketahui: isi kolom Kode Desa atau Desa + Kecamatan, atau pilih wilayah "
        "saat mengunggah.",
        "Village unknown: fill the village code or village + district columns, or pick the region on upload.",
    ),
    IssueType(
        "REGION_UNKNOWN",
        "error",
        "Desa/kelurahan '{value}' tidak ditemukan. Kandidat terdekat: {extra}.",
        "Village '{value}' not found. Closest candidates: {extra}.",
    ),
    IssueType(
        "REGION_AMBIGUOUS",
        "error",
        "Desa/kelurahan '{value}' ada di beberapa tempat: {extra}. Isi kolom Kecamatan atau Kode Desa.",
        "Village '{value}' exists in several places: {extra}. Fill the district or village code column.",
    ),
    IssueType(
        "REGION_NAME_NEAR",
        "warning",
        "Desa/kelurahan '{value}' tidak ada; dibaca sebagai {extra} (beda satu huruf). Periksa ejaannya.",
        "Village '{value}' does not exist; read as {extra} (one letter differs). Please check the spelling.",
    ),
    IssueType(
        "REGION_OUTSIDE",
        "error",
        "Desa {value} berada di luar wilayah unggahan {extra}.",
        "Village {value} lies outside the upload region {extra}.",
    ),
    IssueType(
        "REGION_NOT_VILLAGE",
        "error",
        "Kode {value} bukan kode desa/kelurahan (format 16.71.01.1001).",
        "Code {value} is not a village code (format 16.71.01.1001).",
    ),
    # --- limits and hostile files (issue 11 §13/§14; settings UCJ_MAX_*, docs/architecture.md "Limits") ---
    IssueType(
        "FILE_TOO_LARGE",
        "error",
        "Berkas terlalu besar ({value}). Bagi daftar menjadi beberapa berkas.",
        "The file is too large ({value}). Split the roster into several files.",
    ),
    IssueType(
        "FILE_TOO_LARGE_UNCOMPRESSED",
        "error",
        "Isi berkas Excel terlalu besar setelah dibuka ({value}). Bagi daftar menjadi beberapa berkas.",
        "The Excel file is too large once unpacked ({value}). Split the roster into several files.",
    ),
    IssueType(
        "FILE_TOO_MANY_ROWS",
        "error",
        "Berkas memiliki terlalu banyak baris ({value}). Bagi daftar menjadi beberapa berkas.",
        "The file has too many rows ({value}). Split the roster into several files.",
    ),
    IssueType(
        "FILE_TOO_MANY_COLUMNS",
        "error",
        "Berkas memiliki terlalu banyak kolom ({value}).",
        "The file has too many columns ({value}).",
    ),
    IssueType(
        "FILE_UNSAFE",
        "error",
        "Berkas ditolak karena isinya tidak aman ({value}). Simpan ulang dari Excel atau LibreOffice.",
        "The file is refused because its content is unsafe ({value}). Save it again from Excel or LibreOffice.",
    ),
    IssueType(
        "FILE_PARSE_LIMIT",
        "error",
        "Berkas melampaui batas memori atau waktu pembacaan ({value}). Bagi daftar menjadi beberapa berkas.",
        "Reading the file exceeded the memory or time limit ({value}). Split the roster into several files.",
    ),
    IssueType(
        "FOOTER_ROWS_SKIPPED",
        "info",
        "{value} baris di bawah tabel dibaca sebagai baris jumlah atau tanda tangan (baris {extra}); tidak dihitung "
        "sebagai peserta.",
        "{value} rows under the table were read as totals or signature rows (rows {extra}); they are not counted "
        "as participants.",
    ),
    IssueType(
        "ENCODING_MIXED",
        "warning",
        "Berkas mencampur pengodean UTF-8 dan Windows-1252 ({value} baris); tiap baris dibaca dengan "
        "pengodeannya sendiri. Periksa huruf beraksen, lalu simpan berkas sebagai CSV UTF-8.",
        "The file mixes UTF-8 and Windows-1252 ({value} lines); each line was read in its own encoding. Check "
        "accented letters, then save the file as CSV UTF-8.",
    ),
    IssueType(
        "CELL_NUL",
        "error",
        "Sel berisi karakter NUL (karakter kontrol tak terlihat); baris tidak disimpan. Ketik ulang sel ini.",
        "The cell holds a NUL character (an invisible control character); the row is not stored. Retype it.",
    ),
    IssueType(
        "CELL_TOO_LONG",
        "error",
        "Sel lebih panjang dari {extra} karakter; baris tidak disimpan.",
        "The cell is longer than {extra} characters; the row is not stored.",
    ),
    IssueType(
        "TEXT_TOO_LONG",
        "error",
        "Isi terlalu panjang: {extra} karakter, paling banyak {value}.",
        "The text is too long: {extra} characters, at most {value}.",
    ),
    IssueType(
        "NIK_EXCEL_FLOAT_UNCHANGED",
        "error",
        "NIK ini sama dengan NIK yang ditolak di batch #{extra} karena rusak oleh Excel (digit terakhir "
        "hilang). Ketik ulang NIK dari KTP/KK; NIK yang tidak diubah tetap ditolak.",
        "This NIK is the one rejected in batch #{extra} as damaged by Excel (last digits lost). Retype the NIK "
        "from the ID card/family card; an unchanged NIK stays rejected.",
    ),
    # --- kelurahan are not desa (issue 12 item 3; shared/domain.md §4.1, §6) ---
    IssueType(
        "KELURAHAN_VILLAGE_ROLE",
        "warning",
        "'{value}' adalah jabatan desa, tetapi {extra} adalah kelurahan: kelurahan tidak punya kepala desa atau "
        "BPD (lurah adalah ASN). Periksa jabatan atau kode wilayah; iuran tidak dibayar dari APBDes.",
        "'{value}' is a village (desa) office, but {extra} is a kelurahan: a kelurahan has no kepala desa or BPD "
        "(the lurah is a civil servant). Check the position or the region code; no APBDes pays here.",
    ),
    IssueType(
        "KELURAHAN_APBDES",
        "warning",
        "{extra} adalah kelurahan: kelurahan tidak punya APBDes, tagihan APBDes akan ditolak. Gunakan pembayar "
        "APBD kabupaten/kota.",
        "{extra} is a kelurahan: a kelurahan has no village budget (APBDes); an APBDes bill will be refused. Use "
        "the kab/kota APBD as payer.",
    ),
]

ISSUE_TYPES: dict[str, IssueType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True, slots=True)
class Finding:
    """One issue on one spreadsheet row (``row`` is the row number the user sees in the file; 0 = file)."""

    #: The catalogue the codes come from (a feed's findings use their own).
    catalogue: ClassVar[dict[str, IssueType]] = ISSUE_TYPES

    row: int
    column: str
    code: str
    value: str = ""
    extra: str = ""

    @property
    def severity(self) -> Severity:
        return self.catalogue[self.code].severity

    def message(self, lang: str = "id") -> str:
        t = self.catalogue[self.code]
        return (t.en if lang == "en" else t.id).format(value=self.value, extra=self.extra)

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message("id"),
            "message_en": self.message("en"),
        }


class RosterFileError(Exception):
    """The whole file is refused (not a spreadsheet, empty, password-protected, no NIK column...)."""

    def __init__(self, code: str, value: str = "") -> None:
        self.finding = Finding(row=0, column="", code=code, value=value)
        super().__init__(self.finding.message("en"))

    @property
    def code(self) -> str:
        return self.finding.code

#: Codes the write path adds (see :mod:`ucj.registry.store`), named for the services and pages that use them.
NIK_NOT_AVAILABLE = "NIK_NOT_AVAILABLE"
NIK_CONFLICT = "NIK_CONFLICT"
