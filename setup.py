"""The wheel carries the templates and static files, which live at the repository's root.

Everything else is declared in pyproject.toml. `templates/` and `static/` (with the htmx copy
that `make assets` puts in static/vendor) sit beside the packages in the repository, where the
developers, babel.cfg and the Makefile expect them; a built wheel puts them inside the
`participation` package (`participation/templates`, `participation/static`), where
participation/templating.py looks first. An editable install (`make install`) copies nothing:
the package then reads them from the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("templates", "static")  # folders of the repository's root, copied into the package


class BuildPyWithWebFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the editable install reads them where they are
        for name in SHIPPED:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"{name}/ is missing: build the wheel from the repository")
            target = Path(self.build_lib) / "participation" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithWebFiles})
