"""Plugin registries: one small mechanism behind every kind of plugin (detectors, attacks, targets,
scorers), so that adding a plugin is adding one module to its package."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Generic, TypeVar

from aigis.errors import NotFoundError

P = TypeVar("P")
C = TypeVar("C", bound=type)


def import_submodules(package: str, skip: Iterable[str] = ()) -> list[ModuleType]:
    """Import every module of ``package`` (sorted by name) except private ones and ``skip``."""
    pkg = importlib.import_module(package)
    skipped = set(skip)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__))
    return [
        importlib.import_module(f"{package}.{name}")
        for name in names
        if not name.startswith("_") and name not in skipped
    ]


class Registry(Generic[P]):
    """Classes of one plugin kind by name. Built-in plugins are the modules of ``package``, imported
    the first time the registry is read."""

    def __init__(self, kind: str, package: str, key: str = "name", skip: Iterable[str] = ("base",)) -> None:
        self.kind = kind
        self.package = package
        self.key = key
        self.skip = tuple(skip)
        self._classes: dict[str, type[P]] = {}
        self._loaded = False

    def register(self, cls: C) -> C:
        """Class decorator: make a plugin available under its ``key`` attribute."""
        name = getattr(cls, self.key, "")
        if not name:
            raise ValueError(f"{cls.__qualname__} has no {self.key}")
        self._classes[name] = cls
        return cls

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            import_submodules(self.package, self.skip)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._classes)

    def get(self, name: str) -> type[P]:
        """The class registered as ``name``; an unknown name suggests the nearest ones."""
        self._load()
        try:
            return self._classes[name]
        except KeyError:
            near = difflib.get_close_matches(name, list(self._classes), n=3) or self.names()[:8]
            raise NotFoundError(self.kind, name, near) from None

    def create(self, name: str, factory: Callable[[type[P]], P] | None = None) -> P:
        cls = self.get(name)
        return factory(cls) if factory else cls()
