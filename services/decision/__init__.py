"""Decision: allocation meetings, individual decisions, letters, service orders and reviews."""
