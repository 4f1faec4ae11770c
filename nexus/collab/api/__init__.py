"""REST endpoints of the collaboration hub."""
