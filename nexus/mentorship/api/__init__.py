"""mentorship's REST resources, one module per subject; urls.py is included by nexus/api.py."""
