"""A release a city can deploy (issue 22): the lock agrees with pyproject.toml and pins every
package with hashes; the built wheel installs alone into a clean virtualenv and runs; the
service files run commands the package has."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pinned(path: Path) -> dict[str, list[str]]:
    """{name: [its hashes]} of a requirements file with hashes."""
    found, name = {}, None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            found[name] = []
        elif name and "--hash=sha256:" in line:
            found[name].append(line.split("--hash=sha256:")[1].strip(" \\"))
    return found


def requirement_name(spec: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]).lower()


def test_the_lock_agrees_with_pyproject_and_pins_every_package_with_its_hashes():
    done = subprocess.run(
        [sys.executable, "tools/lock.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )  # noqa: S603
    assert done.returncode == 0, done.stderr
    base, dev = pinned(ROOT / "requirements/base.txt"), pinned(ROOT / "requirements/dev.txt")
    for spec in PROJECT["dependencies"]:
        assert requirement_name(spec) in base, f"{spec} is not in requirements/base.txt"
    for spec in PROJECT["optional-dependencies"]["dev"] + PROJECT["dependencies"]:
        assert requirement_name(spec) in dev, f"{spec} is not in requirements/dev.txt"
    for lock in (base, dev):
        assert all(lock.values()), [n for n, h in lock.items() if not h]  # every pin has hashes
    # the server runs the versions the tests ran
    assert {n: dev[n] for n in base} == base


def test_the_lock_check_names_a_changed_pyproject(tmp_path):
    copy = tmp_path / "repo"
    (copy / "requirements").mkdir(parents=True)
    (copy / "tools").mkdir()
    for name in ("pyproject.toml", "requirements/build.in", "requirements/inputs.sha256", "tools/lock.py"):
        (copy / name).write_text((ROOT / name).read_text())
    text = (
        (copy / "pyproject.toml").read_text().replace('"PyYAML>=6.0",', '"PyYAML>=6.0",\n    "requests>=2",')
    )
    (copy / "pyproject.toml").write_text(text)
    done = subprocess.run(
        [sys.executable, "tools/lock.py", "--check"], cwd=copy, capture_output=True, text=True
    )  # noqa: S603
    assert done.returncode == 1 and "Run `make lock`" in done.stderr


def units() -> dict[str, dict[str, list[str]]]:
    """Each systemd unit of deploy/systemd: {section.key: [values]} (keys may repeat)."""
    parsed = {}
    for path in sorted((ROOT / "deploy/systemd").iterdir()):
        section, values = "", {}
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            values.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
        parsed[path.name] = values
    return parsed


def test_the_service_files_run_commands_the_package_has():
    found = units()
    assert {"agora-web.service", "agora-jobs.service", "agora-doctor.service", "agora-doctor.timer"} <= set(
        found
    )
    scripts = PROJECT["scripts"]
    commands = get_commands()
    ran = []
    for name, unit in found.items():
        if name.endswith(".timer"):
            assert f"{name.removesuffix('.timer')}.service" in found, name
            continue
        assert unit["Service.EnvironmentFile"] == ["/etc/agora.env"], name
        for key in ("Service.ExecStartPre", "Service.ExecStart"):
            for line in unit.get(key, []):
                words = shlex.split(line)
                program = Path(words[0]).name
                if program == "agora":
                    assert "agora" in scripts
                    assert words[1] in commands, f"{name}: agora has no command {words[1]!r}"
                elif program == "gunicorn":
                    module, _, attribute = words[1].partition(":")
                    assert getattr(__import__(module, fromlist=[attribute]), attribute), words[1]
                    assert "gunicorn" in pinned(ROOT / "requirements/base.txt")
                else:
                    pytest.fail(f"{name} runs {program}, which the package does not provide")
                ran.append(f"{program} {words[1]}")
    assert {"agora migrate", "agora run_huey", "agora doctor", "gunicorn agora.wsgi:application"} <= set(ran)


@pytest.mark.slow
def test_the_built_wheel_installs_alone_into_a_clean_virtualenv_and_runs(tmp_path):
    """The wheel, with only the locked runtime dependencies beside it (no source tree on the
    path): its templates, catalogs, rulebooks and static files are inside. It runs on its own
    SQLite file whatever this pass's database, so the PostgreSQL pass does not repeat it."""
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite pass builds and runs the wheel")
    dist = tmp_path / "dist"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    [wheel] = dist.glob("agora-*.whl")
    assert wheel.name.startswith(f"agora-{PROJECT['version']}-")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "--require-hashes", "--no-deps", "-r", str(ROOT / "requirements/base.txt")], check=True
    )  # noqa: S603
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True)  # noqa: S603
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "AGORA_KEY_DIR": str(tmp_path / "keys"),
        "AGORA_DUMP_DIR": str(tmp_path / "dumps"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "HUEY_SQLITE": str(tmp_path / "huey.sqlite3"),
        "AGORA_RULEBOOK_DIR": "",
    }
    env = {k: v for k, v in env.items() if v}

    def agora(*args):
        done = subprocess.run(
            [str(venv / "bin/agora"), *args], env=env, cwd=tmp_path, capture_output=True, text=True
        )  # noqa: S603
        assert done.returncode == 0, f"agora {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done.stdout

    where = subprocess.run(  # noqa: S603
        [str(venv / "bin/python"), "-c", "import agora; print(agora.__file__, agora.__version__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in where and PROJECT["version"] in where  # the wheel's, not the source tree's
    agora("check")
    agora("migrate", "--noinput", "-v0")
    assert "Almaty under fair" in agora("load-demo")  # rulebooks, scenarios, letters' templates, catalogs
    agora("collectstatic", "--noinput", "-v0")
    assert (tmp_path / "static/agora").is_dir()
    assert "0 failed" in agora("doctor")
