"""The app's routes, one module per area; each action calls the service the CLI calls."""
