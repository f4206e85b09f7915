"""The `studio` command line. Builds the app through studio.app; holds no logic of its own beyond arguments."""
