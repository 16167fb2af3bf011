"""The dependency direction between the apps holds (docs/architecture.md): a module that imports
an app above it, or the base `shop` package importing an app, fails here and so fails CI."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept(monkeypatch, capsys):
    # given: the contracts in pyproject.toml, read from the project's root
    monkeypatch.chdir(ROOT)

    # when
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)

    # then: 0 means every contract was analysed and kept; the report names any broken import
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "0 broken" in report
