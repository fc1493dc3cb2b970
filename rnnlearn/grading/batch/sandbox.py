"""How a submission's kernel is started: in a bubblewrap sandbox, or (refused by default) without.

The sandbox (Linux, ``bwrap`` from the Debian package ``bubblewrap``) gives the kernel:
- a read-only view of the system and of the Python environment, and nothing else of the
  file system: not the course repository, no other submission, no gradebook, no home;
- one writable folder, its scratch copy (the notebook and the grader's reply files), and
  a private ``/tmp``;
- its own PID namespace (it sees only its own processes; every process it starts,
  detached or not, dies with it), no capabilities, a clean environment;
- resource limits (``prlimit``): address space, file size, CPU time, open files and,
  for a grader not running as root, processes;
- ``PYTHONPATH`` on the grading build of ``rnnlearn`` (``grading_build``).
Its stdout and stderr go to a file, never to the grader's terminal.

Without the sandbox (``--no-sandbox``) the kernel still imports the grading build and
still runs in the scratch folder, but it can read and write whatever the grader's user
can, and a process it detaches outlives it.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from dataclasses import dataclass

KERNEL_NAME = "rnnlearn-grading"
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or pass --no-sandbox "
                "to grade without one (only for submissions you trust)")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (``prlimit`` names)."""

    memory_bytes: int = 8 * 2 ** 30   # address space; torch alone reserves about 2 GiB
    file_bytes: int = 256 * 2 ** 20   # largest file the kernel may write
    cpu_seconds: int = 600
    open_files: int = 1024
    processes: int = 512              # not enforced for root (the kernel exempts it)

    def prlimit_args(self) -> list[str]:
        return [f"--as={self.memory_bytes}", f"--fsize={self.file_bytes}", f"--cpu={self.cpu_seconds}",
                f"--nofile={self.open_files}", f"--nproc={self.processes}"]


def bwrap_problem() -> str:
    """Why no sandbox can be started here, or ``""``."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (this is {sys.platform})"
    missing = [tool for tool in ("bwrap", "prlimit") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found"
    try:
        trial = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--die-with-parent", "true"],
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not start ({exc})"
    if trial.returncode != 0:
        return f"bwrap could not start ({trial.stderr.strip()[:200]})"
    return ""


def _system_binds() -> list[str]:
    """Read-only binds of the system folders and of this Python (base install and environment)."""
    args = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"):
        path = pathlib.Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    bound = ["/usr", "/bin", "/sbin", "/lib", "/etc"]
    for folder in sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.executable)}):
        folder = folder if os.path.isdir(folder) else os.path.dirname(folder)
        if not any(folder == b or folder.startswith(b + "/") for b in bound):
            args += ["--ro-bind", folder, folder]
            bound.append(folder)
    return args


def kernel_argv(*, scratch, control, build, limits: Limits, sandbox: bool) -> tuple[list[str], dict]:
    """The command line and environment of a kernel whose notebook runs in ``scratch``.

    ``control`` holds the connection file (read-only inside the sandbox), ``build`` the
    grading build of ``rnnlearn``.
    """
    env = {"HOME": str(scratch), "PYTHONPATH": str(build), "PYTHONDONTWRITEBYTECODE": "1",
           "MPLCONFIGDIR": str(pathlib.Path(scratch) / ".matplotlib"),
           "IPYTHONDIR": str(pathlib.Path(scratch) / ".ipython"),
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
           "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}
    python = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if not sandbox:
        return python, env
    box = ["bwrap", "--tmpfs", "/tmp",  # first: every bind below may lie in /tmp (the environment too)
           *_system_binds(), "--ro-bind", str(build), str(build), "--ro-bind", str(control), str(control),
           "--bind", str(scratch), str(scratch),
           "--proc", "/proc", "--dev", "/dev",
           "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
           "--cap-drop", "ALL", "--clearenv", "--chdir", str(scratch)]
    for key, value in env.items():
        box += ["--setenv", key, value]
    return ["prlimit", *limits.prlimit_args(), "--", *box, "--", *python], env


def write_kernelspec(folder, argv, env) -> pathlib.Path:
    """A kernel spec ``KERNEL_NAME`` in ``folder/kernels``; interrupts go as messages (no signals
    reach through the sandbox). Returns the folder to hand to ``KernelSpecManager(kernel_dirs=...)``."""
    kernels = pathlib.Path(folder) / "kernels"
    spec = kernels / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv, "env": env, "display_name": "rnnlearn grading", "language": "python",
        "interrupt_mode": "message"}), encoding="utf-8")
    return kernels
