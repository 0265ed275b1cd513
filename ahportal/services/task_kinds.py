"""Imports every module that registers a task kind, so the registry is complete."""

from ahportal.services import (
    bindings,  # noqa: F401  (registers "binding")
    cpd,  # noqa: F401  (adds the 继续教育 check to the library)
    declarations,  # noqa: F401  (registers "declaration")
    leaders,  # noqa: F401  (registers "leader_declaration")
    library,  # noqa: F401  (registers "library_entry")
)
