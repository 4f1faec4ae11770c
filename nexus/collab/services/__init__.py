"""Every write of the collaboration hub, one module per area."""
