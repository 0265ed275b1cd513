"""Authentication: 政务网 OpenID Connect sign-in, the development identity provider, auth routes."""
