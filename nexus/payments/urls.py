from django.urls import path, re_path

from nexus.payments import checkout_urls, views

app_name = "payments"

urlpatterns = [
    # The checkout's return page and callback (nexus/payments/checkout_urls.py), one namespace.
    *checkout_urls.urlpatterns,
    path("", views.payments_home, name="home"),
    path("payouts/request/", views.payout_request, name="payout_request"),
    path("payout-method/", views.payout_method, name="payout_method"),
    path("admin/", views.admin_home, name="admin"),
    path("admin/payouts/<int:payout_id>/approve/", views.admin_approve, name="admin_approve"),
    path("admin/payouts/<int:payout_id>/reject/", views.admin_reject, name="admin_reject"),
    re_path(
        r"^admin/report/(?P<month>[0-9]{4}-[0-9]{2})\.csv$",
        views.admin_report_csv,
        name="admin_report",
    ),
]
