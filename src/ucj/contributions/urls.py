from django.urls import path

from ucj.contributions import bill_views, views

app_name = "contributions"
urlpatterns = [
    path("", views.calc, name="calc"),
    path("aturan/", views.rules, name="rules"),
    path("tagihan/", bill_views.bill_list, name="bills"),
    path("tagihan/<int:pk>/", bill_views.bill_detail, name="bill"),
    path("tagihan/<int:pk>/tagihan.xlsx", bill_views.bill_download, name="bill_xlsx"),
    path("tagihan/<int:pk>/bayar/", bill_views.bill_pay, name="bill_pay"),
    path("tagihan/<int:pk>/kwitansi/<int:payment>/", bill_views.bill_receipt, name="bill_receipt"),
]
