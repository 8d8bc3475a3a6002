"""Settings and the composition root that wires adapters to the core's ports."""
