"""Every write of payments, one module per flow: charges (money in), payouts (money out)."""
