"""``dcteach validate`` and ``dcteach extension new``: output, JSON shape, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from dcteach.cli import main
from dcteach.data import core_dir

BAD = Path(__file__).parent / "fixtures" / "bad_package"
EXAMPLE = core_dir() / "examples" / "thesis_eeu"

PROBLEM = {
    "type": "object",
    "required": ["resource", "row", "field", "type", "message", "value"],
    "properties": {
        "resource": {"type": "string"},
        "row": {"type": ["integer", "null"], "minimum": 1},
        "field": {"type": ["string", "null"]},
        "type": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "value": {"type": ["string", "null"]},
    },
}
REPORT = {
    "type": "object",
    "required": ["valid", "errors", "warnings"],
    "properties": {
        "valid": {"type": "boolean"},
        "errors": {"type": "array", "items": PROBLEM},
        "warnings": {"type": "array", "items": PROBLEM},
    },
}


def test_json_output_shape(capsys):
    assert main(["validate", str(BAD), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    jsonschema.validate(out, REPORT)
    assert out["valid"] is False and len(out["errors"]) == 31
    assert {"resource": "people", "row": 3, "field": "age", "type": "type", "value": "1.0"}.items() <= out["errors"][0].items()


def test_text_output_lines(capsys):
    assert main(["validate", str(BAD)]) == 1
    lines = capsys.readouterr().out.splitlines()
    pattern = re.compile(r"^\S+\.csv:\d+(:\d+)?: .+ — .+$")
    assert all(pattern.match(line) for line in lines[:-1]), lines
    assert lines[0].endswith("people.csv:3:2: age: value is not of type integer ('1.0') — "
                             "write a whole number such as 42 (digits only, no decimals or thousands separators)")
    assert lines[-1].startswith("31 errors in 4 resources")


def test_valid_package_exits_zero(capsys):
    assert main(["validate", str(EXAMPLE)]) == 0
    assert "valid extension" in capsys.readouterr().out


def test_max_errors_option(capsys):
    assert main(["validate", str(BAD), "--max-errors", "3"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and "more errors exist" in out[-1]


def test_no_core_flag(capsys):
    assert main(["validate", str(EXAMPLE), "--no-core"]) == 1
    assert main(["validate", str(EXAMPLE), "--core"]) == 0


@pytest.mark.parametrize("args", [["validate", "/no/such/path"], ["validate", str(BAD / "people.csv")]])
def test_usage_errors_exit_2_with_one_line(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("dcteach validate: error: ") and err.count("\n") == 1


def test_bad_option_value_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate", str(BAD), "--max-errors", "0"])
    assert info.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_not_a_data_package_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a data package" in err and err.count("\n") == 1


def test_extension_new(tmp_path, capsys):
    target = tmp_path / "thesis"
    assert main(["extension", "new", str(target)]) == 0
    assert "README.md" in capsys.readouterr().out
    assert main(["validate", str(target)]) == 0
    capsys.readouterr()
    assert main(["extension", "new", str(target)]) == 2
    assert "nothing was overwritten" in capsys.readouterr().err


def test_missing_schema_file_is_a_usage_error_not_a_traceback(tmp_path, capsys):
    (tmp_path / "a.csv").write_text("id\nA\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(
        '{"resources": [{"name": "a", "path": "a.csv", "schema": "missing.json"}]}', encoding="utf-8"
    )
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'missing.json'}: no such file; check the path" in err
    assert "Traceback" not in err
