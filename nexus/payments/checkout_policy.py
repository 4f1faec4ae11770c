"""A payment form answers with a redirect to Chapa's checkout, and browsers hold that redirect
to the form page's Content-Security-Policy form-action: importing this lets forms lead there."""

from nexus.csp.middleware import register_form_targets
from nexus.payments import chapa

register_form_targets(chapa.checkout_origins)
