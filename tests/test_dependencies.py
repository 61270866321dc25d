"""Honest dependencies: install_requires names exactly the third-party packages jixiao_xlsx/ imports;
an optional feature's import is guarded (try/except ImportError, with a Chinese message) and named
in an extra; the test extra covers what tests/ import."""
from __future__ import annotations

import ast
import configparser
import functools
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jixiao_xlsx"


def _names(block: str) -> set:
    """Distribution names of a requirements block (markers, versions and extras dropped), normalised."""
    out = set()
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(_norm(re.match(r"[A-Za-z0-9_.-]+", line).group(0)))
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _setup():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    requires = _names(cfg["options"]["install_requires"])
    extras = {k: _names(v) for k, v in cfg["options.extras_require"].items()}
    return requires, extras


@functools.lru_cache(maxsize=None)
def _providers() -> dict:
    return metadata.packages_distributions()


def _distribution(module: str) -> str:
    """The distribution that provides top-level ``module`` (installed), else the module name itself."""
    dists = _providers().get(module) or [module]
    return _norm(dists[0])


@functools.lru_cache(maxsize=None)
def _ours(top: str) -> bool:
    """A module of this repository (samples/make_samples.py, imported by path), not a dependency."""
    return (ROOT / top).is_dir() or any(ROOT.glob(f"*/{top}.py")) or any(ROOT.glob(f"*/*/{top}.py"))


def _imports(stmts, guarded=False):
    """(import statement, inside ``try: ... except ImportError``) over statements, nested ones too
    (imports are statements: expressions need not be walked)."""
    for st in stmts:
        if isinstance(st, (ast.Import, ast.ImportFrom)):
            yield st, guarded
            continue
        catches = isinstance(st, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in st.handlers
        )
        for name in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(st, name, None)
            if inner:
                yield from _imports(inner, guarded or (catches and name == "body"))


@functools.lru_cache(maxsize=None)
def _third_party_imports(folder: Path) -> dict:
    """{top-level module: {"required" | "optional"}} of absolute imports outside the standard library."""
    found: dict = {}
    for p in folder.rglob("*.py"):
        for node, guarded in _imports(ast.parse(p.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif not node.level and node.module:
                mods = [node.module]
            else:
                continue
            for m in mods:
                top = m.split(".")[0]
                if top in sys.stdlib_module_names or top == "__future__" or _ours(top):
                    continue
                found.setdefault(top, set()).add("optional" if guarded else "required")
    return found


def test_install_requires_is_what_the_package_imports():
    requires, extras = _setup()
    imports = _third_party_imports(PACKAGE)
    required = {_distribution(m) for m, how in imports.items() if "required" in how}
    assert requires == required, f"install_requires {sorted(requires)} != imported {sorted(required)}"


def test_optional_imports_are_guarded_and_in_an_extra():
    _, extras = _setup()
    in_extras = set().union(*extras.values())
    for module, how in _third_party_imports(PACKAGE).items():
        if how == {"optional"}:
            assert _distribution(module) in in_extras, f"{module}: optional import in no extra of setup.cfg"


def test_optional_features_name_their_extra_in_chinese():
    from jixiao_xlsx import frames

    assert 'pip install "jixiao-xlsx[pandas]"' in frames.PANDAS_MISSING
    _, extras = _setup()
    assert extras["pandas"] == {"pandas"} and extras["dask"] == {"dask"}


def test_the_test_extra_covers_what_tests_import():
    requires, extras = _setup()
    needed = {_distribution(m) for m in _third_party_imports(ROOT / "tests")}
    missing = needed - requires - extras["test"]
    assert not missing, f"tests import {sorted(missing)}, which the test extra does not install"
    assert {"pandas", "dask"} <= extras["test"]  # so CI runs the pandas and Dask tests, not skips them


def test_calamine_is_capped_at_the_versions_tested():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    line = next(x for x in cfg["options"]["install_requires"].splitlines() if x.startswith("python-calamine"))
    low, high = re.findall(r"[<>]=?\s*([\d.]+)", line)
    installed = tuple(int(x) for x in metadata.version("python-calamine").split(".")[:2])
    assert tuple(int(x) for x in low.split(".")[:2]) <= installed < tuple(int(x) for x in high.split(".")[:2])
