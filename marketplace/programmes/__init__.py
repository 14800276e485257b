"""Programmes: officers run subsidies, rewards and vouchers; paid deals raise claims (issue 12)."""
