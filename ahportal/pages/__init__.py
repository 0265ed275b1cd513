"""Pages: one module per page or page group, registered from ahportal/navigation.py."""
