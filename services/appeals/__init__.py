"""Appeals: appeals, reversals, forwarding to Statsforvalteren and outcomes."""
