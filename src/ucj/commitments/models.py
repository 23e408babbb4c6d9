"""Tables of commitments."""
