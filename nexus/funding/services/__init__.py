"""Funding's writes. `offers` starts payments through nexus.payments' charges; `bounties` and
`sponsorships` move the money once it is paid, through nexus.payments.ledger only."""
