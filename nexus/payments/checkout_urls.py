"""Where Chapa sends the payer back (the return page) and pings us (the callback)."""

from django.urls import path

from nexus.payments import checkout_views

app_name = "payments"

urlpatterns = [
    path("return/<str:tx_ref>/", checkout_views.payment_return, name="return"),
    path("callback/", checkout_views.payment_callback, name="callback"),
]
