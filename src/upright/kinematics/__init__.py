"""kinematics layer."""
