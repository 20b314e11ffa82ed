"""pose layer."""
