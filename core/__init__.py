"""DIDHub core: the host that loads feature plugins. It knows no feature itself."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("didhub")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

from core.hookspecs import hookimpl  # noqa: E402  (the decorator every plugin uses)

__all__ = ["__version__", "hookimpl"]
