"""Every write of mentorship, one module per subject."""
