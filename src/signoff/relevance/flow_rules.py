"""Per-language tables of the data-flow-lite step (:mod:`flow`): where user input comes from (sources),
which calls must not receive it (sinks, each with the question it raises), and what makes it safe.

A sink is a regex that ends at (or after) the call's opening parenthesis; ``args`` says which arguments
are checked: ``"first"``, ``"all"``, ``"second"`` or ``"rest"`` (the rest of the statement: PHP ``echo``
and ``include``, property assignments such as ``innerHTML =``). ``gate`` (a regex the file must contain)
turns a sink on for every non-literal argument, without input flowing in: an XML parser configured to
resolve entities makes each parse call of that file the line to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from signoff.util.lazyre import lazy_compile

PATH = "input.path-traversal"
SSRF = "input.ssrf"
REDIRECT = "input.open-redirect"
XSS = "code.output-encoding"
TEMPLATE = "code.template-injection"
COMMAND = "code.command-injection"
SQL = "db.parameterized-queries"
XXE = "code.xxe"
DESERIAL = "code.unsafe-deserialization"
EVAL = "code.dynamic-code-execution"


@dataclass(frozen=True, slots=True)
class Sink:
    question: str
    regex: str
    args: str = "first"
    gate: str = ""
    #: A second question the same sink raises (PHP ``file_get_contents`` reads files and URLs).
    also: str = ""
    #: A regex that, found in the file, turns the gate off (the parser is hardened).
    unless: str = ""
    #: With a gate: whether input flowing in also raises the sink (without the gate).
    taint_too: bool = True
    #: A regex the file must contain for the sink to apply at all (a Spring MVC controller's returned
    #: view name is a template only in a controller).
    requires: str = ""


@dataclass(frozen=True)
class Rules:
    """Compiled rules of one language."""

    name: str
    sources: re.Pattern[str]
    sinks: tuple[Sink, ...]
    sink_rx: re.Pattern[str]
    gates: tuple[re.Pattern[str] | None, ...]
    unless: tuple[re.Pattern[str] | None, ...]
    assign: re.Pattern[str]
    funcdef: re.Pattern[str]
    #: Parameters bound from the request by annotation / attribute (taint those parameters).
    param_marks: re.Pattern[str] | None
    #: How a parameter's name is found: ``last`` (Java/C# ``Type name``), ``first`` (Go, Python, Kotlin,
    #: TS ``name: T``), ``dollar`` (PHP ``$name``).
    param_name: str
    #: Calls that write into a pointer argument (Go ``Decode(&x)``): taint ``x`` with the statement.
    out_param: re.Pattern[str] | None = None
    #: Per sink: the compiled ``requires`` (None: always applies).
    requires: tuple[re.Pattern[str] | None, ...] = ()
    #: Archive entry names (sources in a file that reads archives: :data:`ARCHIVE_API`).
    archive_sources: re.Pattern[str] | None = None


_SANITIZERS = (
    r"(?:os\.path\.basename|basename|(?:path|pth|nodePath|upath|posix|win32)\.basename|filepath\.Base|path\.Base|secure_filename|escape|"
    r"html\.escape|escapeHtml|escapeHTML|htmlspecialchars|htmlentities|encodeURIComponent|encodeURI|"
    r"urlencode|rawurlencode|quote_plus|int|float|bool|parseInt|parseFloat|Number|Boolean|"
    r"Integer\.parseInt|Integer\.valueOf|Long\.parseLong|Long\.valueOf|UUID\.fromString|strconv\.Atoi|"
    r"strconv\.Parse\w+|intval|floatval|escapeshellarg|shlex\.quote|quote|url_for|"
    r"Encode\.for\w+|StringEscapeUtils\.escape\w*|HtmlUtils\.htmlEscape|sanitize\w*|bleach\.clean|"
    r"DOMPurify\.sanitize|CGI\.escapeHTML|ERB::Util\.html_escape|html_escape|HttpUtility\.\w*Encode|"
    r"WebUtility\.\w*Encode|Uri\.EscapeDataString|Path\.GetFileName|FilenameUtils\.getName|"
    r"\w*real_escape_string|len|strlen|count|isValid\w*|validate\w*|is_safe_url|"
    r"url_has_allowed_host_and_scheme|template\.HTMLEscapeString|html\.EscapeString|url\.QueryEscape|"
    r"url\.PathEscape|filepath\.IsLocal|Number\.parseInt|Math\.\w+|uuid\.\w+)"
)
SANITIZER = re.compile(r"(?<![\w.$])" + _SANITIZERS + r"\s*\(")

_WEB_TYPES = (
    r"(?:\w+(?:Request|Req|Dto|DTO|Form|Payload|Command|Input|Params|Body)\b"
    r"|\b(?:request|req|dto|form|params|payload)\.[A-Z]\w*)"  # Go: a type of the request package
)
_NOT_REQUEST_TYPES = re.compile(
    r"\b(?:Http)?Servlet\w*Request|\bHttpRequest\b|\bWebRequest\b|\bServerHttpRequest\b|\bhttp\.Request\b"
)
#: Parameters never tainted by name (the writer, the framework context, the logger...).
_NOT_DATA_WORDS = (
    "self cls this w res resp response rw next err error callback cb done logger log db conn tx session ctx"
    " context c app env t e ex ev event req request r model view"
)
NOT_DATA = frozenset(_NOT_DATA_WORDS.split())

C_ASSIGN = r"^[ \t]*(?:(?:final|const|let|var|val|readonly|static|private|public|protected)\s+)*"


def compile_rules(
    name: str,
    sources: str,
    sinks: list[Sink],
    assign: str,
    funcdef: str,
    param_name: str,
    param_marks: str = "",
    out_param: str = "",
    archive_sources: str = "",
) -> Rules:
    """One language's rules; their regexes compile when a file of the language is first matched."""
    flags = re.MULTILINE
    alt = "|".join(f"(?P<s{i}>{s.regex})" for i, s in enumerate(sinks))
    return Rules(
        name=name,
        sources=lazy_compile(sources),
        sinks=tuple(sinks),
        sink_rx=lazy_compile(alt, flags),
        gates=tuple(lazy_compile(s.gate) if s.gate else None for s in sinks),
        unless=tuple(lazy_compile(s.unless) if s.unless else None for s in sinks),
        assign=lazy_compile(assign, flags),
        funcdef=lazy_compile(funcdef, flags),
        param_marks=lazy_compile(param_marks) if param_marks else None,
        param_name=param_name,
        out_param=lazy_compile(out_param) if out_param else None,
        requires=tuple(lazy_compile(s.requires, flags) if s.requires else None for s in sinks),
        archive_sources=lazy_compile(archive_sources) if archive_sources else None,
    )


#: Parameter types that mean the parameter holds request data (``WebsiteTestRequest request``).
WEB_TYPE = re.compile(_WEB_TYPES)
NOT_REQUEST_TYPE = _NOT_REQUEST_TYPES
#: Paths of files whose functions handle requests: their parameters carry user input.
WEB_FILE = re.compile(
    r"(?i:(?:^|[/_.-])(?:controllers?|handlers?|servlets?|views?|routes?|api|endpoints?)(?:[/_.-]|$))"
    r"|[a-z](?:Controller|Handler|Servlet|Service|Resource|Endpoint|View)s?\.\w+$"
)
#: Route decorators / annotations: the next function's parameters come from the request.
ROUTE = re.compile(
    r"@\w+\.(?:route|get|post|put|patch|delete|api_route|websocket)\s*\(|@(?:Get|Post|Put|Delete|Patch|Request)Mapping\b"
)
#: Parameter names that say they hold untrusted input, tainted in any file.
UNTRUSTED_NAME = re.compile(
    r"(?i)^\$?(?:payload|user_?input|untrusted\w*|unsafe_?\w*|tainted\w*|raw_?input|user_?data|user_?supplied\w*)$"
)
UNTRUSTED_HINT = re.compile(
    r"(?i)\b(?:payload|user_?input|untrusted|unsafe_?\w*|tainted|raw_?input|user_?data)\b"
)
#: Code that declares request handlers (controllers, servlets): its functions' parameters carry input.
WEB_CODE = re.compile(
    r":\s*(?:Controller|ControllerBase|ApiController)\b|\[ApiController\]|@(?:Rest)?Controller\b"
    r"|\bextends\s+(?:HttpServlet|Controller|AbstractController|BaseController)\b"
    r"|<\s*(?:ApplicationController|ActionController::Base)\b"
)
#: Code that reads archives (zip, tar, jar...): the names of their entries are input (zip slip).
ARCHIVE_API = re.compile(
    r"\b(?:zipfile|tarfile|ZipFile|ZipInputStream|ZipEntry|JarEntry|JarInputStream|TarArchive\w*|ArchiveEntry"
    r"|ZipArchive\w*|AdmZip|adm-zip|yauzl|unzipper|JSZip|jszip|tar-stream|node-tar|decompress|PharData"
    r"|Zip::(?:File|InputStream|Entry)|Gem::Package|Minitar|SharpZipLib|ZipArchiveEntry|TarReader)\b"
    r"|\barchive/(?:zip|tar)\b|\b(?:zip|tar)\.(?:OpenReader|NewReader)\s*\(|\bgetNextEntry\s*\("
    r"|\.(?:extractall|getmembers|namelist|infolist)\s*\("
)
#: A string literal that starts a SQL statement: the file may build query text from values.
QUERY_LITERAL = re.compile(
    r"[\"'`]\s*(?:[Ss][Ee][Ll][Ee][Cc][Tt]|[Ii][Nn][Ss][Ee][Rr][Tt]|[Uu][Pp][Dd][Aa][Tt][Ee]"
    r"|[Dd][Ee][Ll][Ee][Tt][Ee])\s"
)
