"""pytest plugin loaded by scripts/conformance.ts (-p stratus_record): writes one JSON line per
test case to $STRATUS_RECORD with its marks, its outcome and the first line of its failure, so the
runner can count per mark (JUnit XML does not carry marks)."""
import json
import os

_path = os.environ.get("STRATUS_RECORD")
_cases = {}


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        _cases[item.nodeid] = {
            "name": item.name,
            "marks": sorted({m.name for m in item.iter_markers() if m.name not in ("parametrize", "usefixtures", "skip", "skipif", "filterwarnings")}),
            "outcome": None,
            "message": None,
            "duration": 0.0,
        }


def _first_line(report):
    if report.skipped and isinstance(report.longrepr, tuple):
        text = str(report.longrepr[2])
    else:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash is not None else str(report.longrepr or "")
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def pytest_runtest_logreport(report):
    case = _cases.get(report.nodeid)
    if case is None:
        return
    case["duration"] += report.duration
    if report.when == "call":
        if report.passed:
            if case["outcome"] is None:
                case["outcome"] = "passed"
        elif report.skipped:
            case["outcome"] = "skipped"
            case["message"] = _first_line(report)
        else:
            case["outcome"] = "failed"
            case["message"] = _first_line(report)
    elif report.skipped:  # skipped in set-up (skip marks, pytest.skip in a fixture)
        case["outcome"] = "skipped"
        case["message"] = _first_line(report)
    elif report.failed and case["outcome"] != "failed":  # set-up or tear-down error
        case["outcome"] = "error"
        case["message"] = f"{report.when}: {_first_line(report)}"


def pytest_sessionfinish(session, exitstatus):
    if not _path:
        return
    with open(_path, "w", encoding="utf-8") as f:
        for nodeid, case in _cases.items():
            if case["outcome"] is None:
                continue  # deselected or never run (interrupted)
            f.write(json.dumps({"id": nodeid, **case}) + "\n")
