"""Reflex State classes: thin; resolve the actor, call a service, set vars."""
