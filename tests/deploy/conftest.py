# One topology and one SMTP server per session, whichever modules ask for them: a fixture a module
# imports would be a second one, with its own `up` and mailbox.
from tests.deploy.topology import smtp_server, topology  # noqa: F401
