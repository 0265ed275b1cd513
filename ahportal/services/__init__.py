"""The domain: plain functions that check, change and commit; testable without Reflex."""
