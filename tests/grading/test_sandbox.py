"""The sandbox's command line: what the kernel sees."""

import os
import sys

from rnnlearn.grading.batch.sandbox import Limits, kernel_argv


def _argv(tmp_path, sandbox=True):
    return kernel_argv(scratch=tmp_path / "s", control=tmp_path / "c", build=tmp_path / "b",
                       limits=Limits(), sandbox=sandbox)


def test_private_tmp_comes_before_every_bind(tmp_path):
    """A bind listed before --tmpfs /tmp would be hidden by it (a clone under /tmp, its .venv)."""
    argv, _ = _argv(tmp_path)
    tmpfs = argv.index("--tmpfs")
    assert argv[tmpfs + 1] == "/tmp"
    assert all(i > tmpfs for i, a in enumerate(argv) if a in ("--bind", "--ro-bind", "--symlink"))


def test_the_kernel_sees_its_python_read_only_and_only_its_scratch_writable(tmp_path):
    argv, env = _argv(tmp_path)
    ro = {argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"}
    rw = {argv[i + 1] for i, a in enumerate(argv) if a == "--bind"}
    assert os.path.realpath(sys.prefix) in ro or any(os.path.realpath(sys.prefix).startswith(r + "/") for r in ro)
    assert {str(tmp_path / "b"), str(tmp_path / "c")} <= ro and rw == {str(tmp_path / "s")}
    assert {"--unshare-pid", "--die-with-parent", "--clearenv", "--cap-drop"} <= set(argv)
    assert argv[0] == "prlimit" and env["PYTHONPATH"] == str(tmp_path / "b")


def test_without_the_sandbox_the_kernel_is_plain_python_on_the_grading_build(tmp_path):
    argv, env = _argv(tmp_path, sandbox=False)
    assert argv[:3] == [sys.executable, "-m", "ipykernel_launcher"] and env["PYTHONPATH"] == str(tmp_path / "b")
