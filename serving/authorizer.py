"""The API Gateway Lambda authorizer (TOKEN type, `serving.lambda_handlers.authorizer_handler`):
`Authorization: Bearer <credential>` → the IAM policy API Gateway enforces and caches.

A credential is the service's API token (`YOGI_API_TOKEN`, compared in constant time) or a JWT
from `YOGI_JWT_ISSUER` for `YOGI_JWT_AUDIENCE`, verified with PyJWT: HS256 with the shared
`YOGI_JWT_SECRET`, RS256/ES256 with the issuer's key from its JWKS (`YOGI_JWT_JWKS_URL`,
default `<issuer>/.well-known/jwks.json`, as Cognito and most identity providers publish it);
`exp`, `iss`, `aud` and `sub` are required. The allow policy covers every method of the stage
(`<api>/<stage>/*/*`), not just the one asked about, because API Gateway caches the answer per
token for `ReauthorizeEvery` seconds and reuses it on the other routes. Anything else raises
`Unauthorized`, which API Gateway turns into 401 (the one message it recognises for that).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jwt
import structlog

log = structlog.get_logger(__name__)

REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
LEEWAY_S = 30  # clock skew tolerated on exp/nbf/iat


class Unauthorized(Exception):
    """Raised with the message "Unauthorized": API Gateway answers 401."""

    def __init__(self, reason: str) -> None:
        super().__init__("Unauthorized")
        self.reason = reason


@lru_cache(maxsize=4)
def _jwks(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _shared_secret(token: str, settings: Any) -> Any:
    if not settings.jwt_secret:
        raise Unauthorized("HS256 token but no YOGI_JWT_SECRET configured")
    return settings.jwt_secret


def _issuer_key(token: str, settings: Any) -> Any:
    url = settings.jwt_jwks_url or f"{settings.jwt_issuer.rstrip('/')}/.well-known/jwks.json"
    try:
        return _jwks(url).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientError as error:
        raise Unauthorized(f"no signing key: {error}") from None


# Which key verifies a token, by its header's `alg`; an algorithm not listed is refused (no
# `none`, and no HS256 token checked against a public key).
KEYS: dict[str, Callable[[str, Any], Any]] = {
    "HS256": _shared_secret, "RS256": _issuer_key, "ES256": _issuer_key,
}


def verify_jwt(token: str, settings: Any) -> dict:
    """The claims of a valid JWT from the configured issuer and audience; else Unauthorized."""
    if not settings.jwt_issuer:
        raise Unauthorized("not the API token, and no JWT issuer is configured")
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.DecodeError as error:
        raise Unauthorized(f"not a JWT: {error}") from None
    if algorithm not in KEYS:
        raise Unauthorized(f"algorithm {algorithm!r} not accepted")
    key = KEYS[algorithm](token, settings)
    try:
        return jwt.decode(token, key, algorithms=[algorithm], audience=settings.jwt_audience,
                          issuer=settings.jwt_issuer, leeway=LEEWAY_S,
                          options={"require": REQUIRED_CLAIMS})
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"{type(error).__name__}: {error}") from None


def stage_arn(method_arn: str) -> str:
    """arn:…:execute-api:region:account:api/stage/VERB/path → arn:…:api/stage/*/*."""
    api_and_stage = "/".join(method_arn.split("/", 2)[:2])
    return f"{api_and_stage}/*/*"


def allow(principal: str, method_arn: str, context: dict[str, str]) -> dict:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
                           "Resource": stage_arn(method_arn)}],
        },
        # Passed to the integration as requestContext.authorizer (strings, numbers, booleans).
        "context": context,
    }


def authorize(event: dict, settings: Any) -> dict:
    """A TOKEN authorizer event → an allow policy, or Unauthorized."""
    scheme, _, credential = str(event.get("authorizationToken") or "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("no bearer credential")
    method_arn = event["methodArn"]
    token = settings.api_token
    if token and hmac.compare_digest(credential.encode(), token.encode()):
        return allow("api-token", method_arn, {"auth": "api_token"})
    claims = verify_jwt(credential, settings)
    scope = claims.get("scope", "")
    return allow(str(claims["sub"]), method_arn, {
        "auth": "jwt", "subject": str(claims["sub"]),
        "scope": scope if isinstance(scope, str) else " ".join(scope)})
