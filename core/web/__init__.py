"""The web shell: Flask app factory, auth, navigation from hooks, generic views, JSON API."""
