"""fatigue layer."""
