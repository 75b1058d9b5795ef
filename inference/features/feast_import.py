"""Feast, imported at under half its cost. `import feast` takes about seven seconds here, on
every cold `yogi extract` and every service start, for two reasons: its classes are decorated
with typeguard's `@typechecked`, which re-compiles each of their methods at import (about four
seconds), and `feast.torch_wrapper` imports torch whenever it is installed (1.6 s and a few
hundred MB) for tensor outputs yogi never asks for.

`import_feast()` imports it once with `typechecked` the identity and torch hidden from that one
import; torch stays importable afterwards (only Feast's own flag says it is absent). The checks
skipped would guard Feast objects built from yogi's own definitions (`feature_repo/`), which
`feast apply` validates anyway. Every yogi module imports Feast through here.
"""

from __future__ import annotations

import sys
from types import ModuleType


def _unchecked(target=None, **_options):  # type: ignore[no-untyped-def]
    """`typeguard.typechecked` in both its forms (`@typechecked`, `@typechecked(...)`),
    checking nothing."""
    return target if target is not None else (lambda decorated: decorated)


def import_feast() -> ModuleType:
    if "feast" in sys.modules:
        return sys.modules["feast"]
    import typeguard

    checked, typeguard.typechecked = typeguard.typechecked, _unchecked
    hide_torch = "torch" not in sys.modules
    if hide_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]  # import torch → ImportError
    try:
        import feast
    finally:
        typeguard.typechecked = checked
        if hide_torch:
            del sys.modules["torch"]
    return feast
