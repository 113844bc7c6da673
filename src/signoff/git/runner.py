"""Hardened access to the repository under review: every git process signoff starts.

The repository is untrusted: every git call goes through :class:`Git`, which neutralises everything a
repository can configure to run a program (fsmonitor, hooks, pager, external diff and textconv drivers,
clean/smudge/process filters, signature programs), and bounds every git process in time
(:mod:`signoff.git.process`). See ``docs/git-hardening.md`` for what was measured.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from signoff.errors import GitCommandError, RepoError
from signoff.git.process import open_stream, run_bounded

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

#: Config forced on every git call (command-line scope beats every repo config file).
HARDENING_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.pager", "cat"),
    ("core.quotePath", "false"),
    ("core.untrackedCache", "false"),
    ("log.showSignature", "false"),
    ("gpg.program", "/bin/false"),
    ("gpg.ssh.program", "/bin/false"),
    ("gpg.x509.program", "/bin/false"),
    ("safe.bareRepository", "explicit"),
    ("color.ui", "false"),
    ("diff.external", ""),
    # Pin what shapes the patch, so its hash does not depend on the reviewer's settings.
    ("diff.noprefix", "false"),
    ("diff.mnemonicPrefix", "false"),
    ("diff.relative", "false"),
    ("diff.context", "3"),
    ("diff.interHunkContext", "0"),
    ("diff.algorithm", "myers"),
    ("diff.indentHeuristic", "true"),
    ("diff.suppressBlankEmpty", "false"),
    ("diff.orderFile", "/dev/null"),
    ("diff.renames", "true"),
    ("diff.ignoreSubmodules", "none"),
    # blame.ignoreRevsFile cannot be reset by -c (git keeps a sorted list): blame callers pass
    # --no-ignore-revs-file instead.
    ("blame.markIgnoredLines", "false"),
    ("blame.markUnblamableLines", "false"),
    ("i18n.logOutputEncoding", "UTF-8"),
    # No network, no transport, no lazy fetch of missing objects from a promisor remote: each would run
    # a program the repository names (core.sshCommand, core.gitProxy, remote.*.uploadpack, ext:: URLs,
    # credential helpers). Per-name keys (protocol.NAME.allow, remote.NAME.uploadpack, ...) are reset
    # by name in Git.hardened_env; GIT_ALLOW_PROTOCOL and GIT_NO_LAZY_FETCH in the environment back
    # this up.
    ("protocol.allow", "never"),
    ("core.sshCommand", "/bin/false"),
    ("core.gitProxy", "/bin/false"),
    ("core.askPass", "/bin/false"),
    ("core.alternateRefsCommand", "/bin/false"),
    ("credential.helper", ""),
    ("fetch.recurseSubmodules", "false"),
    ("submodule.recurse", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
)

#: Environment variables that would make git run something or change its output.
_DROP_ENV = (
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "PAGER",
    "GIT_DIFF_OPTS",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EDITOR",
    "GIT_TRACE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_PROXY_COMMAND",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_EXEC_PATH",
    "GIT_SEQUENCE_EDITOR",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
)

#: Per-name keys that name a program or allow a transport; each configured name is reset in hardened_env.
_DRIVER_KEYS_RE = (
    r"^((filter|diff|merge)\..+\.(clean|smudge|process|textconv|command|driver|required)"
    r"|remote\..+\.(uploadpack|receivepack|vcs|promisor|proxy)"
    r"|protocol\..+\.allow|credential\..+\.helper)$"
)


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV and not k.startswith("GIT_CONFIG_KEY_")}
    env = {k: v for k, v in env.items() if not k.startswith("GIT_CONFIG_VALUE_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_LITERAL_PATHSPECS="1",
        GIT_NO_REPLACE_OBJECTS="1",
        # git >= 2.39.4 / 2.44: never fetch a missing object from a promisor remote.
        GIT_NO_LAZY_FETCH="1",
        # Set and empty: no transport at all, whatever protocol.*.allow the repository sets.
        GIT_ALLOW_PROTOCOL="",
        GIT_SSH_COMMAND="/bin/false",
        GIT_PROTOCOL_FROM_USER="0",
        LC_ALL="C",
        LANGUAGE="C",
    )
    return env


def _config_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    env = {"GIT_CONFIG_COUNT": str(len(pairs))}
    for i, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def _git_message(stderr: bytes | str) -> str:
    """The most useful single line of git's stderr."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "error:")):
            return ln.split(":", 1)[1].strip()
    return lines[0] if lines else "git failed"


def _run_raw(
    args: list[str], cwd: Path | str, env: dict[str, str], input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return run_bounded(["git", "--no-pager", "--no-optional-locks", *args], cwd, env, input)


#: How deep nested submodules are followed when collecting driver names.
_MAX_SUBMODULE_DEPTH = 8


def _probe_driver_names(
    cwd: Path, env: dict[str, str], names: set[tuple[str, str]], seen: set[str], depth: int = 0
) -> None:
    """Add the ``(section, name)`` of every filter/diff/merge driver configured for ``cwd``'s repository
    and, recursively, for its checked-out submodules.

    Submodules matter because git runs ``git status`` inside a submodule (``git add -u``, work-tree
    diffs) with the submodule's own config, e.g. ``.git/modules/NAME/config``; command-line config given
    through ``GIT_CONFIG_COUNT`` reaches those child processes, so overriding the submodule's drivers
    by name here disarms them there too.
    """
    real = os.path.realpath(cwd)
    if real in seen or depth > _MAX_SUBMODULE_DEPTH:
        return
    seen.add(real)
    probe = _run_raw(["config", "-z", "--get-regexp", _DRIVER_KEYS_RE], cwd, env)
    for record in probe.stdout.split(b"\0"):
        key = record.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        section, _, rest = key.partition(".")
        name = rest.rsplit(".", 1)[0]
        if section and name:
            names.add((section.lower(), name))
    listing = _run_raw(["ls-files", "-z", "--stage"], cwd, env)
    if listing.returncode != 0:
        return
    data = b"\0" + listing.stdout
    start = data.find(b"\x00160000 ")
    while start != -1:  # gitlinks are rare: find() skips the rest at C speed
        end = data.find(b"\0", start + 1)
        entry = data[start + 1 : end if end != -1 else len(data)]
        start = data.find(b"\x00160000 ", start + 1)
        sub = Path(cwd) / os.fsdecode(entry.split(b"\t", 1)[-1])
        if os.path.lexists(sub / ".git") and not sub.is_symlink():
            _probe_driver_names(sub, env, names, seen, depth + 1)


class Git:
    """A repository opened for review; every git call made through it is hardened."""

    def __init__(
        self,
        root: Path,
        git_dir: Path,
        common_dir: Path,
        *,
        shallow: bool = False,
        object_format: str = "sha1",
    ) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        #: ``sha1`` or ``sha256``: the hash of this repository's object ids.
        self.object_format = object_format
        self._shallow = shallow
        self._env: dict[str, str] | None = None

    # -- environment -------------------------------------------------------------------------------
    def hardened_env(self) -> dict[str, str]:
        """Environment for a git subprocess: hardening config plus overrides of every configured driver."""
        if self._env is None:
            base = _base_env()
            pairs = list(HARDENING_CONFIG)
            names: set[tuple[str, str]] = set()
            _probe_driver_names(self.root, {**base, **_config_env(pairs)}, names, set())
            for section, name in sorted(names):
                if section == "filter":
                    pairs += [
                        (f"filter.{name}.clean", ""),
                        (f"filter.{name}.smudge", ""),
                        (f"filter.{name}.process", ""),
                        (f"filter.{name}.required", "false"),
                    ]
                elif section == "diff":
                    pairs += [(f"diff.{name}.textconv", ""), (f"diff.{name}.command", "")]
                elif section == "merge":
                    pairs += [(f"merge.{name}.driver", "")]
                elif section == "remote":
                    pairs += [
                        (f"remote.{name}.uploadpack", "/bin/false"),
                        (f"remote.{name}.receivepack", "/bin/false"),
                        (f"remote.{name}.vcs", ""),
                        (f"remote.{name}.promisor", "false"),
                        (f"remote.{name}.proxy", ""),
                    ]
                elif section == "protocol":
                    pairs += [(f"protocol.{name}.allow", "never")]
                elif section == "credential":
                    pairs += [(f"credential.{name}.helper", "")]
            self._env = {**base, **_config_env(pairs)}
        return dict(self._env)

    # -- running git -------------------------------------------------------------------------------
    def run(
        self,
        args: list[str],
        *,
        input: bytes | None = None,
        check: bool = True,
        index_file: Path | None = None,
    ) -> bytes:
        """Run ``git ARGS`` hardened and return stdout; raise :class:`GitCommandError` on failure.

        ``index_file``: use that index instead of the repository's (``GIT_INDEX_FILE``), e.g. a scratch copy.
        """
        env = self.hardened_env()
        if index_file is not None:
            env["GIT_INDEX_FILE"] = str(index_file)
        proc = _run_raw(args, self.root, env, input)
        if check and proc.returncode != 0:
            raise GitCommandError(
                _git_message(proc.stderr), proc.stderr.decode("utf-8", "replace"), proc.returncode
            )
        out: bytes = proc.stdout
        return out

    def run_text(self, args: list[str], *, input: bytes | None = None, check: bool = True) -> str:
        return self.run(args, input=input, check=check).decode("utf-8", "replace")

    def try_run(self, args: list[str]) -> tuple[int, bytes]:
        """Run without raising; return ``(returncode, stdout)``."""
        proc = _run_raw(args, self.root, self.hardened_env())
        return proc.returncode, proc.stdout

    @contextmanager
    def stream(self, args: list[str], *, stdin: IO[bytes] | None = None) -> Iterator[IO[bytes]]:
        """Run ``git ARGS`` hardened and yield its stdout as a binary stream (``read``/``readline``).

        ``stdin``: a file git reads its input from. The process is bounded (:mod:`signoff.git.process`:
        stopped when silent or running too long). On leaving the block it is reaped; a non-zero exit
        raises :class:`GitCommandError`.
        """
        argv = ["git", "--no-pager", "--no-optional-locks", *args]
        with tempfile.TemporaryFile() as err:
            with open_stream(argv, self.root, self.hardened_env(), stdin=stdin, stderr=err) as (proc, out):
                yield cast(IO[bytes], out)
            code = proc.returncode
            if code != 0:
                err.seek(0)
                stderr = err.read()
                raise GitCommandError(_git_message(stderr), stderr.decode("utf-8", "replace"), code)

    # -- queries -----------------------------------------------------------------------------------
    def rev_parse(self, rev: str, *, kind: str = "commit") -> str:
        """Full object id of ``rev`` peeled to ``kind``; :class:`RepoError` if it does not exist."""
        code, out = self.try_run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{{kind}}}"]
        )
        if code != 0:
            hint = (
                " (this is a shallow clone: the commit may not have been fetched)"
                if self.is_shallow()
                else ""
            )
            raise RepoError(f"unknown revision: {rev}{hint}")
        return out.decode().strip()

    def head(self) -> str | None:
        """The commit HEAD points at, or ``None`` on an unborn branch."""
        code, out = self.try_run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        return out.decode().strip() if code == 0 else None

    def current_branch(self) -> str | None:
        """Short name of the checked-out branch; ``None`` when HEAD is detached."""
        code, out = self.try_run(["symbolic-ref", "--quiet", "--short", "HEAD"])
        return out.decode("utf-8", "surrogateescape").strip() if code == 0 else None

    def is_shallow(self) -> bool:
        return self._shallow

    def config_get(self, key: str) -> str | None:
        """Value of a git config key as the user's git would see it (repo, global, system)."""
        code, out = self.try_run(["config", "--get", key])
        return out.decode("utf-8", "replace").rstrip("\n") if code == 0 else None

    def merge_base(self, a: str, b: str) -> str | None:
        code, out = self.try_run(["merge-base", "--end-of-options", a, b])
        return out.decode().strip() if code == 0 else None

    def ref_exists(self, ref: str) -> bool:
        code, _ = self.try_run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"])
        return code == 0

    def is_dirty(self, *, untracked: bool = False) -> bool:
        """Whether the work tree or index differs from HEAD (or holds files, on an unborn branch)."""
        base = "HEAD" if self.head() else EMPTY_TREE
        code, _ = self.try_run(["diff", "--quiet", "--no-ext-diff", "--no-textconv", base, "--"])
        if code == 1:
            return True
        if code != 0:
            raise RepoError("could not compare the work tree with HEAD")
        return untracked and bool(self.untracked_files())

    def untracked_files(self) -> list[str]:
        out = self.run(["ls-files", "-z", "--others", "--exclude-standard"])
        return [os.fsdecode(p) for p in out.split(b"\0") if p]

    def commits_between(self, base: str, head: str) -> list[str]:
        """Commits reachable from ``head`` but not ``base``, oldest first."""
        if base == EMPTY_TREE:
            args = ["rev-list", "--reverse", head]
        else:
            args = ["rev-list", "--reverse", head, f"^{base}"]
        return self.run_text(args).split()


def open_repo(path: str | os.PathLike[str] | None = None) -> Git:
    """Open the repository containing ``path`` (default: the current directory), as ``git -C`` would."""
    start = Path(path) if path is not None else Path.cwd()
    if not start.exists():
        raise RepoError(f"no such directory: {start}")
    if not start.is_dir():
        start = start.parent
    env = {**_base_env(), **_config_env(list(HARDENING_CONFIG))}
    proc = _run_raw(
        [
            "rev-parse",
            "--is-bare-repository",
            "--is-inside-work-tree",
            "--is-shallow-repository",
            "--absolute-git-dir",
            "--git-common-dir",
            "--show-toplevel",
            "--show-object-format",
        ],
        start,
        env,
    )
    if proc.returncode != 0:
        msg = _git_message(proc.stderr)
        if "dubious ownership" in msg:
            raise RepoError(
                f"{msg}: the repository is owned by another user; if you trust it, run "
                f"git config --global --add safe.directory {start.resolve()}"
            )
        if "not a git repository" in msg:
            raise RepoError(f"not a git repository: {start}")
        raise RepoError(msg)
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if lines and lines[0] == "true":
        raise RepoError(
            f"{start} is a bare repository: signoff needs a work tree (use a worktree or a clone)"
        )
    if len(lines) < 7 or lines[1] != "true":
        raise RepoError(f"{start} is inside the git directory, not a work tree")
    git_dir = Path(lines[3])
    common = Path(lines[4])
    if not common.is_absolute():
        common = (start / common).resolve()
    fmt = lines[6] if lines[6] in ("sha1", "sha256") else "sha1"
    return Git(Path(lines[5]), git_dir, common, shallow=lines[2] == "true", object_format=fmt)
