"""Pages of commitments (``/komitmen/``)."""

from django.urls import path

from ucj.commitments import delete_views, upload_views, views

app_name = "commitments"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("skor.xlsx", views.export, name="export"),
    path("regulasi/", views.instruments, name="instruments"),
    path("regulasi/baru/", views.instrument_new, name="instrument_new"),
    path("regulasi/<int:pk>/ubah/", views.instrument_edit, name="instrument_edit"),
    path("regulasi/<int:pk>/dokumen/", views.instrument_document, name="instrument_document"),
    path("regulasi/<int:pk>/hapus/", delete_views.instrument_delete, name="instrument_delete"),
    path("anggaran/", views.budgets, name="budgets"),
    path("anggaran/baru/", views.budget_new, name="budget_new"),
    path("anggaran/<int:pk>/ubah/", views.budget_edit, name="budget_edit"),
    path("anggaran/<int:pk>/hapus/", delete_views.budget_delete, name="budget_delete"),
    path("kelembagaan/", views.institutions, name="institutions"),
    path("kelembagaan/unggah/", upload_views.upload, name="upload"),
    path("kelembagaan/<str:desa>/ubah/", views.institution_edit, name="institution_edit"),
    path("ekosistem/", views.units, name="units"),
    path("ekosistem/baru/", views.unit_new, name="unit_new"),
    path("ekosistem/<int:pk>/ubah/", views.unit_edit, name="unit_edit"),
    path("ekosistem/<int:pk>/hapus/", delete_views.unit_delete, name="unit_delete"),
    path("mitra/baru/", views.partner_new, name="partner_new"),
    path("mitra/<int:pk>/ubah/", views.partner_edit, name="partner_edit"),
    path("mitra/<int:pk>/hapus/", delete_views.partner_delete, name="partner_delete"),
    path("rapat/", views.meetings, name="meetings"),
    path("rapat/baru/", views.meeting_new, name="meeting_new"),
    path("rapat/<int:pk>/", views.meeting, name="meeting"),
    path("rapat/<int:pk>/ubah/", views.meeting_edit, name="meeting_edit"),
    path("rapat/<int:pk>/hapus/", delete_views.meeting_delete, name="meeting_delete"),
    path("tindak-lanjut/baru/", views.action_new, name="action_new"),
    path("tindak-lanjut/<int:pk>/ubah/", views.action_edit, name="action_edit"),
    path("tindak-lanjut/<int:pk>/hapus/", delete_views.action_delete, name="action_delete"),
    path("tindak-lanjut/<int:pk>/status/", views.action_status, name="action_status"),
]
