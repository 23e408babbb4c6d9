"""Pages of targeting (``/sasaran/``)."""

from django.urls import path

from ucj.targeting import views

app_name = "targeting"
urlpatterns = [
    path("", views.funnel, name="funnel"),
    path("corong.xlsx", views.funnel_xlsx, name="funnel_xlsx"),
    path("kandidat/", views.candidates, name="candidates"),
    path("kandidat.xlsx", views.candidates_xlsx, name="candidates_xlsx"),
    path("kandidat/ke-daftar-kerja/", views.candidates_to_worklists, name="to_worklists"),
    path("kandidat/dari-rencana/", views.plan_to_worklists, name="plan_to_worklists"),
    path("daftar-kerja/", views.worklists, name="worklists"),
    path("daftar-kerja/<str:code>/", views.worklist, name="worklist"),
    path("daftar-kerja/<str:code>/daftar-kerja.xlsx", views.worklist_xlsx, name="worklist_xlsx"),
    path("daftar-kerja/<str:code>/ajukan/", views.submit, name="submit"),
    path("orang/<int:pk>/", views.person, name="person"),
    path("orang/<int:pk>/status/", views.worklist_status, name="status"),
    path("berkas-kolektif/<int:pk>/", views.submission_download, name="submission"),
    path("muatan/", views.loads, name="loads"),
    path("muatan/daftar/unggah/", views.list_upload, name="upload_list"),
    path("muatan/daftar/<int:pk>/", views.source_detail, name="source"),
    path("muatan/bpjs/unggah/", views.bpjs_upload, name="upload_bpjs"),
    path("muatan/bpjs/<int:pk>/", views.bpjs_detail, name="bpjs_file"),
]
