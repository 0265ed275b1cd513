"""The development identity provider's RS256 signing key, shared by every worker."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from ahportal.settings import get_settings

_KEYS: dict[Path, RSAKey] = {}


def signing_key() -> RSAKey:
    """The RS256 key that signs ID tokens, kept under storage_root so all workers share it."""
    path = get_settings().storage_root / "dev-idp" / "signing-key.json"
    if path not in _KEYS:
        _KEYS[path] = _load_or_create_key(path)
    return _KEYS[path]


def _load_or_create_key(path: Path) -> RSAKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
            os.link(tmp, path)  # atomic; fails if another worker got there first
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return RSAKey.import_key(json.loads(path.read_text()))


def public_jwks() -> dict[str, Any]:
    """The JSON Web Key Set clients verify ID tokens with."""
    return {"keys": [signing_key().as_dict(private=False)]}
