"""The per-language tables of the data-flow-lite step: sources, sinks (with their questions), how
assignments and function definitions look (see :mod:`flow_rules` for the fields)."""

from __future__ import annotations

from signoff.relevance.flow_rules import (
    C_ASSIGN,
    COMMAND,
    DESERIAL,
    EVAL,
    PATH,
    REDIRECT,
    SQL,
    SSRF,
    TEMPLATE,
    XSS,
    XXE,
    Rules,
    Sink,
    compile_rules,
)

_EXEC_CURL = r"""\s*\(\s*\[?\s*(?:f|r|b)?["'`](?:curl|wget)\b"""

PYTHON = compile_rules(
    "python",
    r"\brequest\.(?:args|form|values|json|get_json|data|files|cookies|headers|GET|POST|body|FILES|COOKIES"
    r"|META|query_params|path_params|query_string|stream|match_info|query)\b"
    r"|\bself\.get_(?:argument|arguments|query_argument|body_argument|cookie)\s*\(",
    [
        Sink(
            PATH,
            r"(?<![\w.])(?:open|io\.open|codecs\.open|aiofiles\.open|send_file|FileResponse"
            r"|os\.(?:remove|unlink|rename|makedirs|mkdir|listdir|rmdir|stat|scandir|walk)|shutil\.\w+"
            r"|pathlib\.Path|Path|tarfile\.open|zipfile\.ZipFile)\s*\(",
        ),
        Sink(PATH, r"\b(?:os\.path\.join|send_from_directory|safe_join)\s*\(", "all"),
        Sink(
            SSRF,
            r"\b(?:requests|httpx|client|http|aiohttp)\.(?:get|post|put|patch|delete|head"
            r"|options|stream)\s*\(|(?<![\w.])(?:urlopen|urlretrieve)\s*\(|\burllib\.request\.Request\s*\(",
        ),
        Sink(SSRF, r"\b(?:requests|httpx|client|http)\.request\s*\(", "all"),
        Sink(SSRF, r"(?<![\w.])(?:get_url|fetch_url|download_url|open_url|load_url|read_url|http_get)\s*\("),
        Sink(SSRF, r"\b(?:os\.system|os\.popen|subprocess\.\w+)" + _EXEC_CURL, "all"),
        Sink(
            REDIRECT,
            r"(?<![\w.])(?:redirect|HttpResponseRedirect|HttpResponsePermanentRedirect"
            r"|RedirectResponse)\s*\(",
        ),
        Sink(XSS, r"(?<![\w.])(?:HttpResponse|make_response|Markup|mark_safe|Response)\s*\("),
        Sink(
            TEMPLATE,
            r"(?:(?<![\w.])|\b(?:jinja2|template|mako\.template|tornado\.template)\.)"
            r"(?:render_template_string|Template)\s*\(|\.from_string\s*\(",
        ),
        Sink(
            COMMAND,
            r"\b(?:os\.system|os\.popen|subprocess\.\w+|commands\.getoutput|pty\.spawn"
            r"|os\.exec\w+|os\.spawn\w+)\s*\(",
            "all",
        ),
        Sink(SQL, r"\.(?:execute|executemany|executescript|raw|extra|mogrify)\s*\(|\bsqlalchemy\.text\s*\("),
        Sink(
            SQL,
            r"\.(?:find|find_one|find_one_and_update|find_one_and_delete|update_one|update_many|delete_one"
            r"|delete_many|aggregate|count_documents)\s*\((?=\s*(?:\{|[\w.]+\s*[,)]))",
        ),
        Sink(
            DESERIAL,
            r"\b(?:pickle\.loads?|cPickle\.loads?|yaml\.load|yaml\.unsafe_load|marshal\.loads"
            r"|jsonpickle\.decode|dill\.loads?|shelve\.open)\s*\(",
        ),
        Sink(EVAL, r"(?<![\w.])(?:eval|exec)\s*\("),
        Sink(
            XXE,
            r"\b(?:etree\.(?:fromstring|parse|XML|iterparse)|minidom\.parse(?:String)?"
            r"|xml\.sax\.parse(?:String)?|xmltodict\.parse|pulldom\.parse(?:String)?)\s*\(",
            gate=r"resolve_entities\s*=\s*True|no_network\s*=\s*False|load_dtd\s*=\s*True",
        ),
    ],
    r"^[ \t]*(?P<lhs>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?::\s*[\w\[\], .|]+)?[+]?=(?!=)"
    r"|^[ \t]*(?:async\s+)?for\s+(?P<lhs2>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\b",
    r"^[ \t]*(?:async\s+)?def\s+\w+\s*(?P<open>\()",
    "first",
    archive_sources=r"\b(?:member|tarinfo|tar_info|zinfo|zipinfo|zip_info|info|entry|m)\.(?:name|filename|linkname)\b",
)

JS = compile_rules(
    "javascript",
    r"\breq(?:uest)?\.(?:body|query|params|headers|cookies|files?|originalUrl|url|path)\b"
    r"|\bctx\.(?:request\.(?:body|query)|query|params)\b|\blocation\.(?:search|hash)\b"
    r"|\bdocument\.(?:URL|referrer|cookie|location)\b|\bwindow\.location\.(?:search|hash|href)\b"
    r"|\bURLSearchParams\b|\bevent\.data\b|\$\(\s*[\"'][^\"']+[\"']\s*\)\.val\s*\("
    r"|\b(?:router|route|\$route)\.(?:query|params)\b|\b(?:useSearchParams|useParams)\s*\("
    r"|\bsearchParams\.get\s*\(|\.(?:textContent|innerText)\b(?!\s*=[^=])",
    [
        Sink(
            PATH,
            r"\b(?:fs(?:\.promises)?\.\w+|res\.sendFile|res\.download|sendFile|readFileSync|readFile"
            r"|writeFileSync|writeFile|createReadStream|createWriteStream|unlinkSync|unlink"
            r"|fsPromises\.\w+)\s*\(",
        ),
        Sink(PATH, r"\b(?:path|pth|nodePath|upath|posix|win32)\.(?:join|resolve)\s*\(", "all"),
        Sink(PATH, r"\.extractAllTo\s*\(|\.extractEntryTo\s*\(", "all"),
        Sink(
            SSRF,
            r"(?<![\w.$])(?:fetch|axios(?:\.\w+)?|got(?:\.\w+)?|needle(?:\.\w+)?|request(?:\.\w+)?"
            r"|superagent\.\w+|undici\.\w+|https?\.(?:get|request))\s*\(",
        ),
        Sink(SSRF, r"(?<![\w.$])(?:exec|execSync)" + _EXEC_CURL, "all"),
        Sink(REDIRECT, r"\.redirect\s*\(", "all"),
        Sink(REDIRECT, r"\blocation\.(?:assign|replace)\s*\(|\bwindow\.open\s*\("),
        Sink(
            REDIRECT,
            r"(?<![\w$])(?:this\.)?\$router\.(?:push|replace)\s*\(|(?<![\w$.])(?:Router|router|history)\.(?:push"
            r"|replace)\s*\(|(?<![\w.$])navigate(?:To)?\s*\(",
        ),
        Sink(
            REDIRECT, r"(?<![\w$])(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=(?!=)", "rest"
        ),
        Sink(
            XSS,
            r"\bres\.(?:send|write|end)\s*\(|\bdocument\.write(?:ln)?\s*\("
            r"|\.(?:html|append|prepend|after|before|insertAdjacentHTML)\s*\(",
            "all",
        ),
        Sink(XSS, r"\.(?:innerHTML|outerHTML)\s*\+?=(?!=)|\bdangerouslySetInnerHTML\s*=", "rest"),
        Sink(
            TEMPLATE,
            r"\b(?:ejs\.(?:render|compile)|Handlebars\.compile|handlebars\.compile"
            r"|pug\.(?:compile|render)|_\.template|nunjucks\.renderString|doT\.template)\s*\(",
        ),
        Sink(
            COMMAND,
            r"(?<![\w.$])(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\s*\("
            r"|\b(?:child_process|cp|childProcess)\.\w+\s*\(",
            "all",
        ),
        Sink(SQL, r"\.(?:query|raw|execute|unsafe)\s*\("),
        Sink(
            SQL,
            r"\.(?:find|findOne|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|deleteOne"
            r"|deleteMany|where|aggregate|countDocuments|count)\s*\((?=\s*(?:\{|[\w$.]+\s*[,)]))",
        ),
        Sink(DESERIAL, r"\b(?:serialize\.unserialize|unserialize|deserialize|yaml\.load|jsyaml\.load)\s*\("),
        Sink(EVAL, r"(?<![\w.$])eval\s*\(|\bnew\s+Function\s*\(|\bvm\.run\w*\s*\(", "all"),
        # a template engine or code generator: source text assembled from values, compiled with
        # ``new Function`` / ``vm`` in the same file (a value that is not a name injects code)
        Sink(
            TEMPLATE,
            r"[\"'](?:\s|\\n)*(?:var|let|const)\s[^\"'\n]*[\"']\s*\+(?=\s*(?![\"'\s])[\w.$])",
            "rest",
            gate=r"\bnew\s+Function\s*\(|=\s*Function\s*;|\bvm\.(?:runIn\w*|Script|compileFunction)\b",
            taint_too=False,
        ),
        Sink(
            XXE,
            r"\b(?:libxmljs2?\.parseXml(?:String)?|parseXml(?:String)?|xml2js\.parseString"
            r"|parseFromString)\s*\(",
        ),
    ],
    C_ASSIGN + r"(?P<lhs>\{[^}\n]*\}|\[[^\]\n]*\]|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
    r"\s*(?::\s*[\w<>\[\]|. ]+)?\s*[+]?=(?![=>])"
    r"|\bfor\s*\(\s*(?:const|let|var)\s+(?P<lhs2>[\w$]+)\s+of\b",
    r"\bfunction\b\s*\*?\s*[\w$]*\s*(?P<open>\()|(?P<open2>\()[^()\n]*\)\s*=>",
    "first",
    param_marks=r"@(?:Param|Query|Body|Headers|Req)\s*\(",
    archive_sources=r"\.entryName\b|\b(?:\w*[eE]ntry|header|file)\.(?:path|fileName|name)\b",
)

GO = compile_rules(
    "go",
    r"\b(?:r|req|request)\.(?:URL|Form|PostForm|Body|Header|MultipartForm|FormValue|PostFormValue|FormFile"
    r"|Cookie|RequestURI|Host|Referer|UserAgent|PathValue)\b|\b(?:c|ctx)\.(?:Query|Param|PostForm|DefaultQuery"
    r"|DefaultPostForm|GetHeader|FormFile|Cookie|QueryParam|FormValue|Params|GetQuery|GetPostForm"
    r"|QueryArray|PostFormArray)\s*\(|\bmux\.Vars\s*\(|\bchi\.URLParam\s*\(",
    [
        Sink(PATH, r"\b(?:filepath|path)\.Join\s*\(", "all"),
        Sink(
            PATH,
            r"\b(?:os\.(?:Open|OpenFile|ReadFile|WriteFile|Create|Remove|RemoveAll|Mkdir|MkdirAll|ReadDir"
            r"|Stat|Lstat|Rename|Chmod)|ioutil\.(?:ReadFile|WriteFile|ReadDir)|http\.ServeFile"
            r"|\bc\.(?:File|FileAttachment|SaveUploadedFile)|http\.Dir)\s*\(",
            "all",
        ),
        Sink(
            SSRF,
            r"\b(?:http|\w*[cC]lient)\.(?:Get|Post|Head|PostForm)\s*\(|\bhttp\.NewRequest(?:WithContext)?\s*\("
            r"|\bnet\.Dial\w*\s*\(",
            "all",
        ),
        Sink(REDIRECT, r"\b(?:http|c|ctx)\.Redirect\s*\(", "all"),
        Sink(
            XSS,
            r"\bfmt\.Fprint\w*\s*\(\s*(?:w|rw|writer|resp|res)\b|\b(?:w|rw|writer)\.Write\s*\("
            r"|\bio\.WriteString\s*\(\s*(?:w|rw|writer)\b|\btemplate\.(?:HTML|JS|URL|HTMLAttr)\s*\("
            r"|\bc\.(?:String|Data|Writer\.Write\w*)\s*\(",
            "all",
        ),
        Sink(
            TEMPLATE,
            r"(?:\btemplate\.New\s*\([^()\n]*\)|\b(?:tmpl|tpl|t)|\.Funcs\s*\([^()\n]*\))\.Parse\s*\(",
        ),
        Sink(
            COMMAND, r"\bexec\.Command(?:Context)?\s*\(|\bsyscall\.Exec\s*\(|\bos\.StartProcess\s*\(", "all"
        ),
        Sink(SSRF, r"\bexec\.Command(?:Context)?\s*\(\s*\"(?:curl|wget)\"", "all"),
        Sink(
            SQL,
            r"\.(?:Query|QueryRow|Exec|Raw|Where|Order|Group|Having|Joins|Prepare|Queryx|QueryRowx"
            r"|Select|MustExec|NamedExec)\s*\(",
        ),
        Sink(
            SQL, r"\.(?:QueryContext|QueryRowContext|ExecContext|PrepareContext|QueryxContext)\s*\(", "second"
        ),
    ],
    r"^[ \t]*(?:var\s+)?(?P<lhs>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?:[\w.*\[\]]+\s*)?"
    r"(?::=|[+]?=(?!=))"
    r"|^[ \t]*for\s+(?P<lhs2>\w+(?:\s*,\s*\w+)?)\s*:=\s*range\b",
    r"^[ \t]*func\s+(?:\([^()\n]*\)\s*)?\w+\s*(?P<open>\()|\bfunc\s*(?P<open2>\()",
    "first",
    out_param=r"\b(?:Decode|Unmarshal|Bind\w*|ShouldBind\w*|BodyParser)\s*\([^;\n]*?&\s*(\w+)",
    archive_sources=r"\b(?:f|file|zf|hdr|header|entry|h)\.(?:Name|Linkname)\b|\bFileInfo\(\)\.Name\(\)",
)

_JAVA_PARAM_MARKS = (
    r"@(?:RequestParam|PathVariable|RequestBody|RequestHeader|CookieValue|QueryParam|PathParam|FormParam"
    r"|HeaderParam|MatrixParam|BeanParam|ModelAttribute|RequestPart)\b"
)
_JAVA_ARCHIVE = r"\b\w*(?:[eE]ntry|ze)\.getName\s*\(\s*\)|\b\w*[eE]ntry\.name\b"
_JAVA_SINKS = [
    Sink(
        PATH,
        r"\bnew\s+(?:File|FileInputStream|FileOutputStream|FileReader|FileWriter|RandomAccessFile"
        r"|PrintWriter|ZipFile)\s*\(|\b(?:Paths\.get|Path\.of|ResourceUtils\.getFile|FileUtils\.\w+"
        r"|FileCopyUtils\.\w+|Files\.(?:readAllBytes|readAllLines|readString|lines|newInputStream"
        r"|newOutputStream|newBufferedReader|newBufferedWriter|delete|deleteIfExists|createFile"
        r"|createDirectories|write|writeString|walk|list))\s*\(|(?<![\w.])File\s*\(",
        "all",
    ),
    Sink(PATH, r"\bFiles\.(?:copy|move)\s*\(|\.resolve\s*\(", "all"),
    Sink(
        SSRF,
        r"\bnew\s+(?:URL|URI|Http(?:Get|Post|Put|Delete|Head))\s*\(|\bURI\.create\s*\("
        r"|\b(?:rest\w*|\w*Template|\w*[Cc]lient)\.(?:exchange|getForObject|getForEntity|postForObject"
        r"|postForEntity|postForLocation|put|delete|execute|patchForObject)\s*\(|\bJsoup\.connect\s*\("
        r"|\.uri\s*\(|\bURL\s*\(",
    ),
    Sink(REDIRECT, r"\.sendRedirect\s*\(|\bnew\s+RedirectView\s*\(|\.setHeader\s*\(\s*\"Location\"", "all"),
    Sink(
        XSS,
        r"(?<!System\.)\b(?:out|writer|pw|printWriter|getWriter\(\))\.(?:print|println|write|append"
        r"|printf|format)\s*\(",
        "all",
    ),
    Sink(
        TEMPLATE,
        r"\b(?:Velocity|velocityEngine|ve|engine)\.evaluate\s*\(|\.parseExpression\s*\("
        r"|\bnew\s+Template\s*\(|\.createTemplate\s*\(",
        "all",
    ),
    Sink(COMMAND, r"\.exec\s*\(|\bnew\s+ProcessBuilder\s*\(|\bProcessBuilder\s*\(|\.command\s*\(", "all"),
    Sink(
        SQL,
        r"\.(?:executeQuery|executeUpdate|executeLargeUpdate|execute|prepareStatement|prepareCall"
        r"|createQuery|createNativeQuery|createSQLQuery|query|queryForObject|queryForList|queryForMap"
        r"|queryForRowSet|update|batchUpdate|addBatch)\s*\(",
    ),
    Sink(
        DESERIAL,
        r"\bnew\s+(?:ObjectInputStream|XMLDecoder)\s*\(|\.fromXML\s*\(|\bnew\s+Yaml\s*\([^()\n]*\)"
        r"\.load\s*\(",
    ),
    Sink(EVAL, r"\b\w*[Ee]ngine\.eval\s*\("),
    # a Spring MVC controller's returned string is a view name: built from input, it is a template
    # expression (Thymeleaf ``::`` fragments, ``__${...}__`` preprocessing)
    Sink(TEMPLATE, r"^[ \t]*return\s+(?=(?:\"[^\"\n]*\"|[\w.]+)\s*\+)", "rest", requires=r"@Controller\b"),
    Sink(TEMPLATE, r"\bnew\s+ModelAndView\s*\(", requires=r"@Controller\b"),
    Sink(
        XXE,
        r"(?:\b\w+|\))\.(?:parse|unmarshal|createXMLStreamReader|createXMLEventReader|read|build|transform"
        r"|validate)\s*\(",
        gate=r"DocumentBuilderFactory|SAXParserFactory|XMLInputFactory|SAXReader|SAXBuilder|TransformerFactory"
        r"|SchemaFactory|XMLReaderFactory|JAXBContext",
        unless=r"disallow-doctype-decl|FEATURE_SECURE_PROCESSING|ACCESS_EXTERNAL_DTD|SUPPORT_DTD"
        r"|external-general-entities",
        taint_too=False,
    ),
]

JAVA = compile_rules(
    "java",
    r"\.getParameter(?:Values|Map|Names)?\s*\(|\.getHeader(?:s)?\s*\(|\.getQueryString\s*\(|\.getCookies\s*\("
    r"|\b(?:req|request|httpRequest|servletRequest)\.(?:getInputStream|getReader|getRequestURI|getPathInfo"
    r"|getPart|getParts)\s*\(|\.getOriginalFilename\s*\(",
    _JAVA_SINKS,
    C_ASSIGN
    + r"(?:[\w.<>\[\]?]+(?:<[^=;\n]*>)?\s+)?(?P<lhs>[A-Za-z_]\w*(?:\.\w+)*)\s*(?::\s*[\w<>?. ]+)?[+]?=(?!=)"
    r"|\bfor\s*\(\s*(?:final\s+)?[\w.<>\[\]]+\s+(?P<lhs2>\w+)\s*:",
    r"^[ \t]*(?:@\w+(?:\([^()\n]*\))?\s+)*(?:(?:public|private|protected|static|final|synchronized|abstract"
    r"|override|suspend|open|internal)\s+)*(?:fun\s+(?:<[^>\n]*>\s*)?|(?!(?:return|new|throw|else|case|yield|await)\b)"
    r"[\w.<>\[\]?][\w.<>\[\], ?]*\s+)(?!(?:if|for|while|switch|catch|try|synchronized)\b)\w+\s*(?P<open>\()",
    "last",
    param_marks=_JAVA_PARAM_MARKS,
    archive_sources=_JAVA_ARCHIVE,
)

KOTLIN = compile_rules(
    "kotlin",
    JAVA.sources.pattern
    + r"|\bcall\.(?:parameters|receive\w*|receiveParameters|request\.queryParameters|request\.headers)\b",
    _JAVA_SINKS,
    JAVA.assign.pattern,
    JAVA.funcdef.pattern,
    "first",
    param_marks=_JAVA_PARAM_MARKS,
    archive_sources=_JAVA_ARCHIVE,
)

PHP = compile_rules(
    "php",
    r"\$_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER|ENV)\b|\$request->(?:input|get|query|post|all|file|cookie"
    r"|header|route)\s*\(|\bfilter_input\s*\(|php://input|\bgetallheaders\s*\("
    r"|\$request->(?:query|request|attributes|cookies|headers|files)->(?:get|all)\s*\(",
    [
        Sink(PATH, r"\b(?:include|include_once|require|require_once)\b", "rest"),
        Sink(PATH, r"\b(?:file_get_contents|fopen|readfile|file|copy)\s*\(", "first", also=SSRF),
        Sink(
            PATH,
            r"\b(?:unlink|file_put_contents|rename|rmdir"
            r"|mkdir|opendir|scandir|highlight_file|show_source|parse_ini_file|is_file|file_exists"
            r"|filesize|new\s+SplFileObject|move_uploaded_file)\s*\(",
            "all",
        ),
        Sink(
            SSRF,
            r"\b(?:curl_init|fsockopen|get_headers|getimagesize|simplexml_load_file)\s*\("
            r"|\bcurl_setopt\s*\([^,\n]+,\s*CURLOPT_URL\b",
            "all",
        ),
        Sink(
            SSRF, r"\b(?:shell_exec|exec|system|passthru|popen|proc_open)\s*\(\s*[\"'](?:curl|wget)\b", "all"
        ),
        Sink(REDIRECT, r"\bheader\s*\(\s*[\"']\s*(?:Location|Refresh)\s*:", "all"),
        Sink(REDIRECT, r"(?:->|\b)(?:redirect|away|wp_redirect|wp_safe_redirect)\s*\("),
        Sink(REDIRECT, r"\b(?:echo|print)\b(?=[^;\n]*http-equiv\s*=\s*\\?[\"']?refresh)", "rest"),
        Sink(XSS, r"\b(?:echo|print)\b|<\?=", "rest"),
        Sink(XSS, r"\b(?:printf|vprintf|print_r|die|exit)\s*\(", "all"),
        Sink(TEMPLATE, r"->(?:createTemplate|render)\s*\(", "first"),
        Sink(TEMPLATE, r"->fetch\s*\(\s*[\"']string:|->renderString\s*\(", "all"),
        Sink(COMMAND, r"\b(?:shell_exec|exec|system|passthru|popen|proc_open|pcntl_exec)\s*\(", "all"),
        Sink(
            SQL,
            r"\b(?:mysql_query|mysqli_query|mysqli_multi_query|pg_query|sqlite_query|mysqli_prepare)\s*\(",
            "all",
        ),
        Sink(
            SQL,
            r"->(?:query|exec|prepare|multi_query|whereRaw|selectRaw|orderByRaw|havingRaw|raw)\s*\("
            r"|\bDB::(?:raw|select|statement|unprepared)\s*\(",
        ),
        Sink(DESERIAL, r"\bunserialize\s*\("),
        Sink(EVAL, r"\b(?:eval|assert|create_function)\s*\("),
        Sink(
            XXE,
            r"->(?:loadXML|load|xml)\s*\(|\b(?:simplexml_load_string|simplexml_load_file|xml_parse)\s*\("
            r"|\bnew\s+SimpleXMLElement\s*\(",
            "all",
            gate=r"LIBXML_NOENT|LIBXML_DTDLOAD|resolveExternals\s*=\s*true|substituteEntities\s*=\s*true"
            r"|libxml_disable_entity_loader\s*\(\s*false",
            taint_too=False,
        ),
    ],
    r"(?P<lhs>\$\w+(?:->\w+)*)\s*\.?=(?![=>])|\bforeach\s*\([^;\n]*\bas\s+(?:\$\w+\s*=>\s*)?(?P<lhs2>\$\w+)",
    r"\bfunction\s*&?\s*\w*\s*(?P<open>\()",
    "dollar",
    archive_sources=r"->(?:getNameIndex|getFilename|getPathname)\s*\(|\$(?:entry|stat)\[\s*[\"']name[\"']\s*\]",
)

RUBY = compile_rules(
    "ruby",
    r"\bparams\b|\brequest\.(?:body|headers|cookies|params|query_string|path|url|referer|env|raw_post"
    r"|query_parameters|request_parameters)\b|\bcookies\[",
    [
        Sink(
            PATH,
            r"\b(?:File\.(?:open|read|write|join|expand_path|new|readlines|binread|delete|foreach)"
            r"|send_file|IO\.(?:read|readlines|binread)|Pathname\.new|FileUtils\.\w+|Dir\.(?:glob|entries))\b",
            "rest",
        ),
        Sink(
            SSRF,
            r"\b(?:Net::HTTP\.\w+|URI\.open|OpenURI\.open_uri|Kernel\.open|HTTParty\.\w+|Faraday\.\w+"
            r"|RestClient\.\w+|Excon\.\w+|Typhoeus\.\w+)\b|(?<![\w.])open\s*\(",
            "rest",
        ),
        Sink(REDIRECT, r"\bredirect_to\b", "rest"),
        Sink(XSS, r"(?<![\w.])raw\b|\brender\s+(?:html|inline|text|plain):", "rest"),
        Sink(XSS, r"(?<![\w@.])@{0,2}[a-z_]\w*(?:\[[^\]\n]{1,40}\])?\.html_safe\b", "match"),
        Sink(
            TEMPLATE,
            r"\b(?:ERB\.new|Liquid::Template\.parse|Haml::Engine\.new|Slim::Template\.new)\b"
            r"|\brender\s+inline:",
            "rest",
        ),
        Sink(
            COMMAND,
            r"(?<![\w.])(?:system|exec|spawn|`|%x)|\b(?:IO\.popen|Open3\.\w+|Kernel\.(?:system|exec"
            r"|spawn)|PTY\.spawn)\b",
            "rest",
        ),
        Sink(
            SQL,
            r"\.(?:where|find_by_sql|select|order|joins|group|having|pluck|from|delete_all|update_all"
            r"|count_by_sql|exists\?)\b|\bconnection\.(?:execute|select_all|select_value|exec_query)\b",
            "first",
        ),
        Sink(DESERIAL, r"\b(?:Marshal\.load|YAML\.load|Psych\.load|Oj\.load|YAML\.unsafe_load)\b", "rest"),
        Sink(EVAL, r"(?<![\w.])(?:eval|instance_eval|class_eval|module_eval)\b", "rest"),
    ],
    r"^[ \t]*(?P<lhs>@{0,2}[a-z_]\w*(?:\s*,\s*@{0,2}[a-z_]\w*)*)\s*(?:\|\|)?[+]?=(?![=~>])"
    r"|\.each\s+do\s*\|\s*(?P<lhs2>\w+)",
    r"^[ \t]*def\s+(?:self\.)?\w+[?!]?\s*(?P<open>\()",
    "first",
    archive_sources=r"\b(?:entry|e|file|header)\.(?:name|full_name)\b",
)

CSHARP = compile_rules(
    "csharp",
    r"\bRequest\.(?:Query|Form|Body|Headers|Cookies|QueryString|Params|Path|RawUrl|Url|Files|InputStream)\b",
    [
        Sink(
            PATH,
            r"\b(?:File\.\w+|Directory\.\w+|PhysicalFile|new\s+(?:FileStream|StreamReader|StreamWriter"
            r"|FileInfo|DirectoryInfo))\s*\(|\.SaveAs\s*\(",
        ),
        Sink(PATH, r"\bPath\.(?:Combine|Join)\s*\(", "all"),
        Sink(
            SSRF,
            r"\.(?:GetAsync|PostAsync|PutAsync|DeleteAsync|GetStringAsync|GetStreamAsync|GetByteArrayAsync"
            r"|DownloadString|DownloadFile|DownloadData|OpenRead|UploadString)\s*\(|\bWebRequest\.Create\s*\("
            r"|\bnew\s+Uri\s*\(",
        ),
        Sink(SSRF, r"\bnew\s+HttpRequestMessage\s*\(", "all"),
        Sink(REDIRECT, r"(?<![\w.])(?:Redirect|RedirectPermanent)\s*\(|\bResponse\.Redirect\s*\("),
        Sink(XSS, r"\b(?:Html\.Raw|Response\.Write|new\s+HtmlString|Content)\s*\("),
        Sink(COMMAND, r"\bProcess\.Start\s*\(|\bnew\s+ProcessStartInfo\s*\(", "all"),
        Sink(COMMAND, r"\.(?:Arguments|FileName)\s*=(?!=)", "rest"),
        Sink(
            SQL,
            r"\bnew\s+(?:Sql|MySql|Npgsql|Sqlite|OleDb|Odbc)Command\s*\(|\.(?:FromSql|FromSqlRaw"
            r"|ExecuteSqlCommand|ExecuteSqlRaw|SqlQuery|Query(?:<[^>\n]*>)?|Execute(?:Scalar)?)\s*\(",
        ),
        Sink(SQL, r"\.CommandText\s*=(?!=)", "rest"),
        Sink(DESERIAL, r"\.(?:Deserialize|DeserializeObject|UnsafeDeserialize)\s*\("),
        Sink(
            XXE,
            r"\bXmlReader\.Create\s*\(|\.(?:Load|LoadXml)\s*\(|\bnew\s+XmlTextReader\s*\("
            r"|\bX(?:Document|Element)\.(?:Load|Parse)\s*\(",
            gate=r"DtdProcessing\s*=\s*DtdProcessing\.Parse|XmlResolver\s*=\s*new|ProhibitDtd\s*=\s*false",
        ),
    ],
    C_ASSIGN + r"(?:[\w.<>\[\]?]+(?:<[^=;\n]*>)?\s+)?(?P<lhs>[A-Za-z_]\w*(?:\.\w+)*)\s*[+]?=(?![=>])"
    r"|\bforeach\s*\(\s*[\w.<>\[\]]+\s+(?P<lhs2>\w+)\s+in\b",
    r"^[ \t]*(?:\[[^\]\n]*\]\s*)*(?:(?:public|private|protected|internal|static|async|virtual|override)\s+)+"
    r"[\w.<>\[\], ?]+\s+\w+\s*(?P<open>\()",
    "last",
    param_marks=r"\[From(?:Query|Body|Form|Route|Header)\b",
    archive_sources=r"\b\w*[eE]ntry\.(?:FullName|Name|Key)\b",
)

BY_KIND = {
    "python": PYTHON,
    "javascript": JS,
    "typescript": JS,
    "go": GO,
    "java": JAVA,
    "kotlin": KOTLIN,
    "scala": JAVA,
    "groovy": JAVA,
    "php": PHP,
    "ruby": RUBY,
    "csharp": CSHARP,
}


def rules_for(kinds: frozenset[str]) -> Rules | None:
    """The rules of the first code language of ``kinds`` (None: no data-flow step for this file)."""
    for k in sorted(kinds):
        got = BY_KIND.get(k)
        if got is not None:
            return got
    return None
