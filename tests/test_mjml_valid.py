"""What the templates produce is valid MJML 5, checked by the reference validator.

MRML (mjml-python) lets unknown tags and attributes through silently, so the
composed MJML of every template x fixture and every theme is validated by the
JavaScript MJML 5 (tests/mjml, installed by .ci/run with `npm ci`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import matrix, rendered

import mailkit

HERE = Path(__file__).resolve().parent / "mjml"
NODE = shutil.which("node")


def validator_available() -> bool:
    return NODE is not None and (HERE / "node_modules" / "mjml").is_dir()


@pytest.fixture(scope="module")
def validate():  # type: ignore[no-untyped-def]
    if not validator_available():
        if os.environ.get("MAILKIT_REQUIRE_BROWSER"):  # set by .ci/run: the whole toolchain must be there
            pytest.fail("the MJML 5 validator is not installed (npm ci --prefix tests/mjml)")
        pytest.skip("the MJML 5 validator is not installed (npm ci --prefix tests/mjml)")

    def run(files: list[Path]) -> dict[str, list[str]]:
        out = subprocess.run([NODE, str(HERE / "validate.js"), *map(str, files)], capture_output=True, text=True,
                             timeout=300, check=False)
        results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        assert len(results) == len(files), out.stderr
        return {r["file"]: r["errors"] for r in results}

    return run


def test_every_render_is_valid_mjml5(validate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = []
    for template, fixture in matrix():
        for theme in (None, "harbor-ledger"):
            path = tmp_path / f"{template}--{fixture.stem}--{theme}.mjml"
            path.write_text(rendered(template, fixture, theme).mjml, encoding="utf-8")
            files.append(path)
    errors = {name: errs for name, errs in validate(files).items() if errs}
    assert errors == {}


def test_the_validator_catches_what_mrml_accepts(validate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = ('<mjml><mj-body><mj-section><mj-column><mj-text foo="bar">x</mj-text><mj-bogus />'
           "</mj-column></mj-section></mj-body></mjml>")
    mailkit._compile.compile_mjml(bad)  # MRML: no complaint
    path = tmp_path / "bad.mjml"
    path.write_text(bad)
    errors = validate([path])[str(path)]
    assert any("foo" in e for e in errors) and any("mj-bogus" in e for e in errors)
