"""``signoff init`` trusts only the user's own identity: global/system git config or flags, never the
repository's ``.git/config``; it shows the fingerprint of the key it is about to trust and asks first."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from signoff.cli import main
from tests.helpers import git, make_repo

ALLOWED = ".signoff/allowed_signers"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory):
    from tests.sigkeys import SshKeys

    return SshKeys(tmp_path_factory.mktemp("initkeys"))


@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cfg = tmp_path / "user.gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    return cfg


def _global(cfg: Path, key: str, value: str) -> None:
    git(cfg.parent, "config", "--file", str(cfg), key, value)


@pytest.fixture
def hostile_clone(tmp_path: Path, keys) -> Path:
    """A clone whose own .git/config names the attacker's key, format and e-mail."""
    r = make_repo(tmp_path / "clone")
    git(r, "config", "gpg.format", "ssh")
    git(r, "config", "user.signingKey", str(keys["ed25519-mallory"].pub_path))
    git(r, "config", "user.email", "maintainer@example.com")
    return r


def test_repository_config_cannot_choose_the_trusted_key(
    hostile_clone: Path, user_config: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(hostile_clone), "init", "--yes", "--snippets", "none"]) == 0
    out = capsys.readouterr().out
    allowed = hostile_clone / ALLOWED
    assert not allowed.exists() or keys["ed25519-mallory"].pub.split()[1] not in allowed.read_text()
    assert "not updated" in out


def test_user_config_key_is_trusted_after_showing_its_fingerprint(
    hostile_clone: Path, user_config: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    _global(user_config, "gpg.format", "ssh")
    _global(user_config, "user.signingKey", str(keys["ed25519"].pub_path))
    _global(user_config, "user.email", "alice@example.com")
    assert main(["-C", str(hostile_clone), "init", "--yes", "--snippets", "none"]) == 0
    out = capsys.readouterr().out
    text = (hostile_clone / ALLOWED).read_text()
    assert keys["ed25519"].pub.split()[1] in text and "alice@example.com" in text
    assert keys["ed25519-mallory"].pub.split()[1] not in text
    assert "maintainer@example.com" not in text
    assert keys["ed25519"].fingerprint in out


def test_init_asks_before_trusting_and_no_means_no(
    tmp_path: Path,
    user_config: Path,
    keys,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = make_repo(tmp_path / "repo")
    _global(user_config, "gpg.format", "ssh")
    _global(user_config, "user.signingKey", str(keys["ed25519"].pub_path))
    _global(user_config, "user.email", "alice@example.com")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["-C", str(r), "init", "--snippets", "none"]) == 0
    out = capsys.readouterr().out
    assert keys["ed25519"].fingerprint in out
    assert not (r / ALLOWED).exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["-C", str(r), "init", "--snippets", "none"]) == 0
    assert keys["ed25519"].pub.split()[1] in (r / ALLOWED).read_text()


def test_init_without_a_terminal_and_without_yes_does_not_trust(
    tmp_path: Path,
    user_config: Path,
    keys,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    r = make_repo(tmp_path / "repo")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["-C", str(r), "init", "--key", str(keys["ed25519"].pub_path), "--email", "a@example.com"])
    out = capsys.readouterr().out
    assert code == 0
    assert not (r / ALLOWED).exists()
    assert "--yes" in out and keys["ed25519"].fingerprint in out


def test_flags_still_choose_the_key(
    hostile_clone: Path, user_config: Path, keys, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["init", "--yes", "--snippets", "none", "--key", str(keys["ed25519"].pub_path)]
    assert main(["-C", str(hostile_clone), *argv, "--email", "bob@example.com"]) == 0
    text = (hostile_clone / ALLOWED).read_text()
    assert "bob@example.com" in text and keys["ed25519"].pub.split()[1] in text
