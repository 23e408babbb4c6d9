"""Tables of targeting."""
