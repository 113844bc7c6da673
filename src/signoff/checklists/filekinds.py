"""What kind of file a path is: languages and tags (``dockerfile``, ``github-actions``, ``test``, ``ci``...).

Checklist triggers name these kinds in ``languages``; a file has a set of kinds, e.g.
``.github/workflows/ci.yml`` -> ``{"yaml", "github-actions", "ci"}``. Detection is by path, plus one
cheap content sniff for Kubernetes manifests (``apiVersion:`` and ``kind:`` in YAML).
"""

from __future__ import annotations

import re
from functools import lru_cache
from posixpath import basename

_EXT = {
    ".py": "python",
    ".pyw": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".vue": "javascript",
    ".svelte": "javascript",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".scala": "scala",
    ".groovy": "groovy",
    ".rb": "ruby",
    ".erb": "ruby",
    ".rake": "ruby",
    ".php": "php",
    ".phtml": "php",
    ".cs": "csharp",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".swift": "swift",
    ".sql": "sql",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".ksh": "shell",
    ".ps1": "powershell",
    ".psm1": "powershell",
    ".dockerfile": "dockerfile",
    ".tf": "terraform",
    ".tfvars": "terraform",
    ".hcl": "terraform",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".xml": "xml",
    ".html": "html",
    ".htm": "html",
    ".jinja": "html",
    ".j2": "html",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".properties": "properties",
    ".md": "markdown",
}

#: Server-side template files: the language of their code blocks, and ``html``.
_TEMPLATE_EXT = {
    ".ejs": ("javascript", "html"),
    ".jsp": ("java", "html"),
    ".jspx": ("java", "html"),
    ".erb": ("ruby", "html"),
    ".cshtml": ("csharp", "html"),
    ".razor": ("csharp", "html"),
    ".hbs": ("html",),
    ".handlebars": ("html",),
    ".mustache": ("html",),
    ".twig": ("html",),
    ".gohtml": ("html",),
    ".tmpl": ("html",),
}

_NAMES = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "gemfile": "ruby",
    "rakefile": "ruby",
    "jenkinsfile": "groovy",
    "makefile": "make",
    ".gitignore": "gitignore",
    ".dockerignore": "gitignore",
    ".gitattributes": "gitattributes",
    ".gitmodules": "gitmodules",
    ".env": "dotenv",
    ".bashrc": "shell",
    ".profile": "shell",
}

_TEST_RE = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__|e2e|testdata)/"
    r"|(?:^|/)test_[^/]*\.py$|_test\.(?:py|go)$|\.(?:test|spec)\.[jt]sx?$|Tests?\.(?:java|kt|cs)$|_spec\.rb$",
    re.IGNORECASE,
)
_K8S_DIR_RE = re.compile(r"(?:^|/)(?:k8s|kubernetes|manifests|kustomize|helm|charts)/", re.IGNORECASE)
_COMPOSE_RE = re.compile(r"^(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$", re.IGNORECASE)
_GITLAB_RE = re.compile(
    r"(?:^|/)(?:\.gitlab-ci(?:\.[^/]*)?\.ya?ml|[^/]*\.gitlab-ci\.ya?ml)$|^\.gitlab/ci/.*\.ya?ml$"
)
_GHA_RE = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$|(?:^|/)action\.ya?ml$")
_REQ_RE = re.compile(r"^(?:requirements|constraints)[^/]*\.(?:txt|in)$", re.IGNORECASE)
_CI_NAMES = re.compile(
    r"(?:^|/)(?:jenkinsfile|\.travis\.yml|azure-pipelines\.ya?ml|bitbucket-pipelines\.yml|cloudbuild\.ya?ml)$"
    r"|^\.circleci/|^\.buildkite/",
    re.IGNORECASE,
)

#: Every kind :func:`kinds_of` can return (checklist validation rejects other names).
KNOWN_KINDS = frozenset(
    {
        *_EXT.values(),
        *_NAMES.values(),
        "docker-compose",
        "kubernetes",
        "github-actions",
        "gitlab-ci",
        "ci",
        "test",
        "requirements",
        "dotenv",
        "container",
        "iac",
    }
)


@lru_cache(maxsize=8192)
def path_kinds(path: str) -> frozenset[str]:
    """Kinds of a file judged by its path alone."""
    name = basename(path)
    lower = name.lower()
    kinds: set[str] = set()
    dot = lower.rfind(".")
    if dot > 0:
        ext_kind = _EXT.get(lower[dot:])
        if ext_kind:
            kinds.add(ext_kind)
        kinds.update(_TEMPLATE_EXT.get(lower[dot:], ()))
    named = _NAMES.get(lower)
    if named:
        kinds.add(named)
    if lower.startswith(("dockerfile.", "containerfile.")) or lower.endswith(".dockerfile"):
        kinds.add("dockerfile")
    if lower.startswith(".env.") or lower.endswith(".env"):
        kinds.add("dotenv")
    if _REQ_RE.match(name):
        kinds.add("requirements")
    if _COMPOSE_RE.match(name):
        kinds.add("docker-compose")
    if _GHA_RE.search(path):
        kinds.update(("github-actions", "ci"))
    if _GITLAB_RE.search(path):
        kinds.update(("gitlab-ci", "ci"))
    if _CI_NAMES.search(path):
        kinds.add("ci")
    if "yaml" in kinds and _K8S_DIR_RE.search(path):
        kinds.add("kubernetes")
    if _TEST_RE.search(path):
        kinds.add("test")
    if kinds & {"dockerfile", "docker-compose", "kubernetes"}:
        kinds.add("container")
    if kinds & {"terraform", "kubernetes"}:
        kinds.add("iac")
    return frozenset(kinds)


def kinds_of(path: str, sniff: str = "") -> frozenset[str]:
    """Kinds of a file from its path and, for YAML, a bit of its content (``sniff``)."""
    kinds = path_kinds(path)
    if "yaml" in kinds and "kubernetes" not in kinds and "apiVersion:" in sniff and "kind:" in sniff:
        return kinds | {"kubernetes", "container", "iac"}
    return kinds
