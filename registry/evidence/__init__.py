"""Evidence kept for screenings and reports: the append-only Merkle tree (RFC 9162) and its anchors."""
