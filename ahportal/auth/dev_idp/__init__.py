"""Development OpenID Connect provider standing in for 安徽政务服务网 (dev and test mode only).

keys.py        the RS256 signing key (kept under the storage root) and the JWKS
server.py      Authlib's authorization server: the one client, code grant, PKCE, ID tokens
identities.py  demo identities chosen or typed on the login page
pages.py       the server-rendered login page
endpoints.py   the HTTP endpoints and the mount
"""

from ahportal.auth.dev_idp.endpoints import DevIdentityProvider, dev_idp_mount
from ahportal.auth.dev_idp.identities import demo_subject, identity_from_form, list_identities
from ahportal.auth.dev_idp.keys import public_jwks, signing_key
from ahportal.auth.dev_idp.pages import DEV_IDP_PATH
from ahportal.auth.dev_idp.server import identity_claims

__all__ = [
    "DEV_IDP_PATH",
    "DevIdentityProvider",
    "demo_subject",
    "dev_idp_mount",
    "identity_claims",
    "identity_from_form",
    "list_identities",
    "public_jwks",
    "signing_key",
]
