"""Web pages of the collaboration hub."""
