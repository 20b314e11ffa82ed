"""signal layer."""
