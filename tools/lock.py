"""The lock: pyproject.toml's dependency ranges resolved to exact versions with hashes.

    python tools/lock.py           resolve again (make lock): requirements/base.txt (what the
                                   service runs on) and requirements/dev.txt (that, plus the
                                   tests' and builds' tools), and the fingerprint of the inputs
    python tools/lock.py --check   exit 1, saying what to do, if pyproject.toml or
                                   requirements/build.in changed since the lock was made

Why uv: it resolves in seconds and writes plain requirements files with hashes, which the
machine's own pip installs (`pip install --require-hashes`): nothing new is needed to install.
`--universal` keeps one lock valid on x86_64 and aarch64 (markers, every wheel's hash).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
FINGERPRINT = REQUIREMENTS / "inputs.sha256"
COMMON = ["--generate-hashes", "--universal", "--python-version", "3.11", "--quiet"]


def inputs() -> dict:
    """What the lock is resolved from: the ranges, not the rest of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {k: sorted(v) for k, v in project.get("optional-dependencies", {}).items()},
        "build.in": [
            line.strip()
            for line in (REQUIREMENTS / "build.in").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ],
    }


def fingerprint() -> str:
    return hashlib.sha256(json.dumps(inputs(), sort_keys=True).encode()).hexdigest()


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    return str(found) if found.exists() else "uv"


def lock() -> None:
    compile_ = [uv(), "pip", "compile", *COMMON, "--custom-compile-command", "make lock"]
    # dev first; the service's lock is then constrained to the same versions
    subprocess.run(  # noqa: S603 (our own arguments)
        [
            *compile_,
            "pyproject.toml",
            "requirements/build.in",
            "--extra",
            "dev",
            "-o",
            "requirements/dev.txt",
        ],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(  # noqa: S603 (our own arguments)
        [*compile_, "pyproject.toml", "-c", "requirements/dev.txt", "-o", "requirements/base.txt"],
        cwd=ROOT,
        check=True,
    )
    FINGERPRINT.write_text(fingerprint() + "\n")
    print("locked: requirements/base.txt, requirements/dev.txt")


def check() -> int:
    recorded = FINGERPRINT.read_text().strip() if FINGERPRINT.exists() else ""
    if recorded != fingerprint():
        print(
            "The lock is out of date: pyproject.toml (or requirements/build.in) changed since "
            "requirements/*.txt were made. Run `make lock` and commit requirements/.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    lock()
