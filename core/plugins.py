"""The plugin manager: built-in plugins, entry-point plugins and the operator's choice."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy

from core import __version__, hookspecs
from core.config import Config

DEFAULT_PLUGINS = (
    "plugins.accounts",
    "plugins.settings",
    "plugins.audit",
    "plugins.system_requests",
    "plugins.systems",
    "plugins.alters",
    "plugins.groups",
    "plugins.subsystems",
    "plugins.uploads",
)
ENTRY_POINT_GROUP = "didhub"


class PluginError(Exception):
    """A plugin cannot be loaded or is malformed; the message names the plugin."""


def _short_name(module_path: str) -> str:
    return module_path.rsplit(".", 1)[-1]


def _wanted(name: str, config: Config) -> bool:
    if config.plugins is not None and name not in config.plugins:
        return False
    return name not in config.disable_plugins


def load_plugins(config: Config, extra_plugins: Iterable[ModuleType | Any] = ()) -> pluggy.PluginManager:
    """Build the manager: DEFAULT_PLUGINS, then entry points, then `extra_plugins` (tests)."""
    pm = pluggy.PluginManager("didhub")
    pm.add_hookspecs(hookspecs)
    sources: dict[str, tuple[str, str]] = {}  # name -> (where it comes from, version)

    for module_path in DEFAULT_PLUGINS:
        name = _short_name(module_path)
        if _wanted(name, config):
            try:
                module = importlib.import_module(module_path)
            except Exception as exc:
                raise PluginError(f"plugin {name!r} ({module_path}) failed to import: {exc!r}") from exc
            _register(pm, module, name)
            sources[name] = ("built-in", __version__)

    # Iterate entry points ourselves: pluggy's loader stops at the first broken one, unnamed.
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if not _wanted(entry_point.name, config):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:
            raise PluginError(f"plugin {entry_point.name!r} ({entry_point.value}) failed to import: {exc!r}") from exc
        _register(pm, plugin, entry_point.name)
        dist = entry_point.dist
        sources[entry_point.name] = (f"package {dist.name}" if dist else "package", dist.version if dist else "?")

    for plugin in extra_plugins:
        name = _short_name(getattr(plugin, "__name__", type(plugin).__name__))
        _register(pm, plugin, name)
        sources[name] = ("extra", "?")

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from exc
    pm.didhub_sources = sources  # type: ignore[attr-defined]
    return pm


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    if pm.get_plugin(name) is not None or pm.is_registered(plugin):
        raise PluginError(f"plugin {name!r} is registered twice (built-in and entry point?)")
    try:
        pm.register(plugin, name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from exc


def per_plugin(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call one hook on each plugin separately, keeping who said what, in registration order."""
    results = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        try:
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        except Exception as exc:
            raise PluginError(f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}") from exc
        if result is not None:
            results.append((impl.plugin_name, result))
    return results


async def call_async(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Like `per_plugin`, awaiting hooks written as `async def`."""
    results = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        try:
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            raise PluginError(f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}") from exc
        if result is not None:
            results.append((impl.plugin_name, result))
    return results


def describe(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """What `didhub plugins` prints: name, source, version and the hooks each implements."""
    sources = getattr(pm, "didhub_sources", {})
    rows = []
    for name, plugin in pm.list_name_plugin():
        hooks = sorted(impl.name for impl in pm.get_hookcallers(plugin) or [])
        source, version = sources.get(name, ("?", "?"))
        rows.append({"name": name, "source": source, "version": version, "hooks": hooks})
    return rows


async def first_async(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Any:
    """A `firstresult` hook that may be async: the first answer that is not None wins."""
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        if inspect.isawaitable(result):
            result = await result
        if result is not None:
            return result
    return None
