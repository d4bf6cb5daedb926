"""HTTP resources, one module per area. Views parse, call one service, and serialise."""
