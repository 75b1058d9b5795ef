"""The API Gateway TOKEN authorizer (`serving/authorizer.py`, `lambda_handlers.
authorizer_handler`) on the event API Gateway sends, with real JWTs: HS256 with a shared
secret, RS256 with the key published in a JWKS served over HTTP like an identity provider's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from test_lambda import Context

from inference.settings import get_settings
from serving import lambda_handlers
from serving.authorizer import Unauthorized, authorize

ISSUER = "https://auth.school.example"
AUDIENCE = "yogi"
SECRET = "hs256-shared-secret-of-at-least-32-bytes!"
API_TOKEN = "api-token-abc"
METHOD_ARN = ("arn:aws:execute-api:eu-west-2:123456789012:abc123/prod/PUT/documents/"
              "0f3a/timetable")


def settings(**overrides: Any) -> SimpleNamespace:
    base = {"api_token": API_TOKEN, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE,
            "jwt_secret": SECRET, "jwt_jwks_url": None}
    return SimpleNamespace(**{**base, **overrides})


def event(credential: str | None) -> dict:
    """What API Gateway sends a TOKEN authorizer (the Authorization header as it came)."""
    return {"type": "TOKEN", "methodArn": METHOD_ARN,
            **({"authorizationToken": credential} if credential is not None else {})}


def claims(**overrides: Any) -> dict:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "reviewer-17", "iat": now,
            "exp": now + 600, "scope": "documents:write", **overrides}


def hs256(**overrides: Any) -> str:
    return jwt.encode(claims(**overrides), SECRET, algorithm="HS256")


def test_a_valid_hs256_jwt_gets_an_allow_policy_for_the_whole_stage() -> None:
    answer = authorize(event(f"Bearer {hs256()}"), settings())
    assert answer["principalId"] == "reviewer-17"
    [statement] = answer["policyDocument"]["Statement"]
    assert statement == {"Action": "execute-api:Invoke", "Effect": "Allow",
                         "Resource": "arn:aws:execute-api:eu-west-2:123456789012:abc123/prod/*/*"}
    assert answer["context"] == {"auth": "jwt", "subject": "reviewer-17",
                                 "scope": "documents:write"}


def test_the_api_token_is_accepted_as_today() -> None:
    answer = authorize(event(f"Bearer {API_TOKEN}"), settings(jwt_issuer=None))
    assert (answer["principalId"], answer["context"]) == ("api-token", {"auth": "api_token"})


# The JWTs are minted when the test runs (not at collection): one valid for 10 minutes must
# still be, however long after collection its test comes, so only the flaw named can fail it.
@pytest.mark.parametrize(("credential", "reason"), [
    (lambda: None, "no bearer credential"),
    (lambda: "", "no bearer credential"),
    (lambda: "Basic dXNlcjpwdw==", "no bearer credential"),
    (lambda: f"Bearer {hs256(exp=int(time.time()) - 3600)}", "ExpiredSignatureError"),
    (lambda: f"Bearer {hs256(aud='another-api')}", "InvalidAudienceError"),
    (lambda: f"Bearer {hs256(iss='https://evil.example')}", "InvalidIssuerError"),
    (lambda: f"Bearer {jwt.encode(claims(), 'a-different-secret-also-32-bytes-long', 'HS256')}",
     "InvalidSignatureError"),
    (lambda: "Bearer " + jwt.encode({k: v for k, v in claims().items() if k != "sub"}, SECRET,
                                    "HS256"), "MissingRequiredClaimError"),
    (lambda: f"Bearer {jwt.encode(claims(), None, algorithm='none')}", "algorithm 'none'"),
    (lambda: "Bearer not-a-jwt", "not a JWT"),
])
def test_anything_else_is_401_unauthorized(credential: Callable[[], str | None], reason: str
                                           ) -> None:
    with pytest.raises(Unauthorized) as refused:
        authorize(event(credential()), settings())
    assert str(refused.value) == "Unauthorized"  # the message API Gateway maps to 401
    assert reason in refused.value.reason


def test_without_an_issuer_only_the_api_token_passes() -> None:
    with pytest.raises(Unauthorized, match="Unauthorized"):
        authorize(event(f"Bearer {hs256()}"), settings(jwt_issuer=None))


@pytest.fixture(scope="module")
def identity_provider():  # type: ignore[no-untyped-def]
    """An RSA key and its JWKS at <issuer>/.well-known/jwks.json on a local HTTP server."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "key-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            found = self.path == "/.well-known/jwks.json"
            self.send_response(200 if found else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield SimpleNamespace(key=key, issuer=f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()


def test_an_rs256_jwt_is_checked_against_the_issuers_jwks(identity_provider) -> None:  # type: ignore[no-untyped-def]
    idp = identity_provider
    config = settings(jwt_issuer=idp.issuer, jwt_secret=None)
    token = jwt.encode(claims(iss=idp.issuer), idp.key, algorithm="RS256",
                       headers={"kid": "key-1"})
    assert authorize(event(f"Bearer {token}"), config)["principalId"] == "reviewer-17"

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(iss=idp.issuer), other, algorithm="RS256",
                        headers={"kid": "key-1"})
    with pytest.raises(Unauthorized) as refused:
        authorize(event(f"Bearer {forged}"), config)
    assert "InvalidSignatureError" in refused.value.reason
    # An HS256 token cannot pass as the issuer's: no shared secret is configured.
    with pytest.raises(Unauthorized):
        authorize(event(f"Bearer {hs256(iss=idp.issuer)}"), config)


def test_the_lambda_entry_reads_the_settings_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name, value in {"YOGI_API_TOKEN": API_TOKEN, "YOGI_JWT_ISSUER": ISSUER,
                        "YOGI_JWT_AUDIENCE": AUDIENCE, "YOGI_JWT_SECRET": SECRET}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        answer = lambda_handlers.authorizer_handler(event(f"Bearer {hs256()}"), Context())
        assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        with pytest.raises(Unauthorized):
            lambda_handlers.authorizer_handler(event("Bearer wrong"), Context())
    finally:
        get_settings.cache_clear()
