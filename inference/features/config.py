"""The Feast configuration of this deployment, from the settings: which `feature_repo/` yaml
(SQLite online store by default, Redis when `YOGI_REDIS_URL` names one, or the yaml
`YOGI_FEAST_CONFIG` names, e.g. the production one) and the values of its `${…}` placeholders
(`feast_variables`). The `feast` CLI reads the same yaml with the same variables exported.
"""

from __future__ import annotations

import json
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import yaml

from inference.features.feast_import import import_feast
from inference.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from feast.repo_config import RepoConfig

FEATURE_REPO = PROJECT_ROOT / "feature_repo"
LOCAL_YAML = FEATURE_REPO / "feature_store.yaml"
REDIS_YAML = FEATURE_REPO / "feature_store.redis.yaml"


def redis_connection_string(url: str, timeout_s: float) -> str:
    """redis://[:password@]host:port/db (rediss:// for TLS) → Feast's `host:port,k=v,…`.
    Short socket timeouts and no client-side retries: redis-py's default retries a refused
    connection for seconds, and a missing feature must cost a document milliseconds."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise ValueError(f"YOGI_REDIS_URL must be redis://host:port/db, got {url!r}")
    parts = [f"{parsed.hostname}:{parsed.port or 6379}",
             f"db={int(parsed.path.strip('/') or 0)}",
             f"socket_timeout={timeout_s}", f"socket_connect_timeout={timeout_s}",
             "retry=null"]
    if parsed.scheme == "rediss":
        parts.append("ssl=true")
    if parsed.password:
        parts.append(f"password={json.dumps(unquote(parsed.password))}")
    return ",".join(parts)


def offline_uri(settings: Settings) -> str:
    return settings.feast_offline_uri or str(settings.feast_dir / "offline")


def feast_variables(settings: Settings) -> dict[str, str]:
    """What the yaml files' `${…}` stand for."""
    variables = {"YOGI_FEAST_DIR": str(settings.feast_dir),
                 "YOGI_FEAST_OFFLINE": offline_uri(settings)}
    if settings.redis_url:
        variables["YOGI_FEAST_REDIS"] = redis_connection_string(
            settings.redis_url, settings.feature_timeout_s)
    return variables


def config_file(settings: Settings) -> Path:
    if settings.feast_config:
        return Path(settings.feast_config)
    return REDIS_YAML if settings.redis_url else LOCAL_YAML


def repo_config(settings: Settings) -> RepoConfig:
    """The yaml with its placeholders filled (a placeholder without a value is an error)."""
    text = Template(config_file(settings).read_text()).substitute(feast_variables(settings))
    config = import_feast().repo_config.RepoConfig(**yaml.safe_load(text))
    config.repo_path = FEATURE_REPO
    return config


def online_store_kind(settings: Settings) -> str:
    return str(repo_config(settings).online_store.type)
