from django.urls import path

from ucj.registry import entry_views, trust_views, upload_views, views

app_name = "registry"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("cari/", views.participant_search, name="search"),
    path("peserta/tambah/", entry_views.participant_add, name="add"),
    path("peserta/<str:public_id>/", views.participant_detail, name="detail"),
    path("peserta/<str:public_id>/ubah/", views.participant_edit, name="edit"),
    path("impor/", views.import_list, name="imports"),
    path("impor/unggah/", upload_views.import_upload, name="upload"),
    path("impor/<int:pk>/ulang/", upload_views.import_retry, name="retry"),
    path("impor/<int:pk>/", views.import_detail, name="import"),
    path("impor/<int:pk>/ditolak.xlsx", views.import_rejected, name="rejected"),
    path("impor/<int:pk>/perbaiki/", entry_views.import_fix, name="fix"),
    path("pindah/", trust_views.transfer_list, name="transfers"),
    path("pindah/minta/", trust_views.transfer_request, name="transfer_request"),
    path("pindah/<int:pk>/putuskan/", trust_views.transfer_decide, name="transfer_decide"),
    path("konflik/", trust_views.conflict_list, name="conflicts"),
    path("konflik/<int:pk>/", trust_views.conflict_detail, name="conflict"),
]
