"""Pages: one module per page or page group, registered from pages/routes.py."""
