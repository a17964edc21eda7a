"""Drawing: the Canvas interface, its headless backends, and one module per panel."""
