"""The Chinese interface: which language a request gets (Accept-Language with q-values, the
cookie, the switch), the catalog kept in step with the templates and the Python wording, and
pages that come out in Chinese while registry text stays as registered."""

from __future__ import annotations

import ast
import gzip
import json
import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from tests.web.conftest import csrf_of
from trialscout.web import i18n, viewmodels

SRC = Path(i18n.__file__).resolve().parents[1]  # src/trialscout
TEMPLATES = SRC / "web" / "templates"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        (None, "", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        (None, "en;q=0.5, zh-TW;q=0.7", "zh"),  # q-values, not order, decide
        (None, "zh;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        (None, "zh;q=0", "en"),
        (None, "fr-FR, de;q=0.9", "en"),  # nothing supported: English
        (None, "fr, zh-Hans;q=0.4", "zh"),
        (None, "zh;q=abc, en", "en"),  # a broken q-value skips that entry
        (None, "ZH-cn", "zh"),
        ("en", "zh-CN", "en"),  # the switch wins over the browser
        ("zh", "en-US", "zh"),
        ("xx", "zh-CN", "zh"),  # an unknown cookie is ignored
    ],
)
def test_choose_language(cookie, header, expected):
    assert i18n.choose(cookie, header) == expected


def test_choose_language_bounded_on_a_huge_header():
    assert i18n.choose(None, "en;q=0.1," * 100_000 + "zh") == "en"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/trials/NCT1?near=x", "/trials/NCT1?near=x"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_switch_returns_only_to_this_site(target, expected):
    assert i18n.safe_next(target) == expected


# --- the catalog ------------------------------------------------------------------------------


def _template_strings() -> tuple[set[str], set[str]]:
    """Every string constant in the templates, and the messages that must be translated
    (`_()` and the plural form of `ngettext()`: Chinese has one form)."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    consts: set[str] = set()
    needed: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text("utf-8")
        for node in env.parse(source).find_all(nodes.Const):
            if isinstance(node.value, str):
                consts.add(node.value)
        for _line, func, message in env.extract_translations(source):
            if func == "ngettext" and isinstance(message, tuple):
                needed.add(message[1])
            elif isinstance(message, str):
                needed.add(message)
    return consts, needed


def _python_corpus() -> str:
    """The fixed wording of the Python code and its data files, as one lower-case text: string
    constants and the fixed parts of f-strings of every module (registry enum names also as
    `words()` shows them: 'ACTIVE_NOT_RECRUITING' -> 'active not recruiting'), and the data
    files' text."""
    parts: list[str] = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts.append(node.value)
                if re.fullmatch(r"[A-Z][A-Z0-9_]+", node.value):
                    parts.append(viewmodels.words(node.value))
    for pattern in ("**/*.json", "**/*.yaml", "**/*.tsv"):
        for path in SRC.glob(pattern):
            if "locale" not in path.parts:
                parts.append(path.read_text("utf-8"))
    for path in SRC.glob("data/demo/*.jsonl.gz"):  # registry values: countries, enum names
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        parts.append(text)
        parts.extend(viewmodels.words(v) for v in set(re.findall(r'"([A-Z][A-Z0-9_]+)"', text)))
    return "\n".join(parts).lower()


def _fragments(english: str) -> list[str]:
    """The fixed words of an entry: each run of words between placeholders and punctuation."""
    text = re.sub(r"\{\w+\}", "|", english)
    return [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z' -]*[A-Za-z]", text)]


def _covered(run: str, corpus: str) -> bool:
    """A run of words is in the code whole, or as consecutive pieces (a sentence the code builds
    from several f-strings: 'Your {} must be ' + 'less than'); the longest pieces are tried
    first."""
    if run in corpus:
        return True
    words = run.split()
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            if " ".join(words[start:end]) in corpus:
                start = end
                break
        else:
            return False
    return True


def test_catalog_loads_with_matching_placeholders():
    cat = i18n.catalog("zh")
    assert cat is not None and cat.exact and cat.patterns
    for section, entries in i18n.catalog_sections("zh").items():
        for english, chinese in entries.items():
            assert i18n.placeholders(english) == i18n.placeholders(chinese), (section, english)


def test_placeholder_mismatch_is_refused():
    with pytest.raises(ValueError, match="placeholders differ"):
        i18n._check("zh", {"interface": {"Page %(page)s": "第 %(pages)s 页"}})
    with pytest.raises(ValueError, match="differently"):
        i18n._check("zh", {"interface": {"Other": "其他"}, "labels": {"Other": "另外"}})
    with pytest.raises(ValueError, match="no translation"):
        i18n._check("zh", {"interface": {"Search": ""}})


def test_every_template_string_is_translated_and_every_entry_still_used():
    consts, needed = _template_strings()
    interface = i18n.catalog_sections("zh")["interface"]
    missing = sorted(needed - set(interface))
    assert not missing, f"template strings without a Chinese entry: {missing}"
    stale = sorted(set(interface) - consts)
    assert not stale, f"interface entries no template uses any more: {stale}"


def test_every_python_entry_still_matches_the_code():
    corpus = _python_corpus()
    stale = []
    for section, entries in i18n.catalog_sections("zh").items():
        if section == "interface":
            continue
        for english in entries:
            if not all(_covered(f, corpus) for f in _fragments(english)):
                stale.append((section, english))
    assert not stale, f"entries whose English no module or data file contains: {stale[:20]}"


def test_catalog_is_readable_json_with_sections():
    path = SRC / "web" / "locale" / "zh.json"
    raw = json.loads(path.read_text("utf-8"))
    assert raw["_doc"]
    assert {"interface", "labels", "plain", "eligibility", "summary"} <= set(raw)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Recruiting", "招募中"),
        ("Phase 2", "2期"),
        ("Phase 1 / Phase 2", "1期 / 2期"),
        ("You must be 18 to 75 years old.", "年龄须在 18 至 75 岁之间。"),
        ("Not a registry sentence at all.", "Not a registry sentence at all."),
        # registry text that merely contains a pattern's connector stays as registered
        ("Ability to understand and sign consent", "Ability to understand and sign consent"),
        ("Liver Cancer / Hepatitis B", "Liver Cancer / Hepatitis B"),
        ("18 Years to 75 Years", "18岁至75岁"),
        (
            "Wrong passcode. Wait 30 seconds before trying again.",
            "访问密码错误。请等待 30 秒后再试。",
        ),
    ],
)
def test_python_wording_translates_by_pattern(english, chinese):
    assert i18n.translate("zh", english) == chinese


def test_english_is_untouched():
    assert i18n.translate("en", "Recruiting") == "Recruiting"
    assert i18n.catalog("en") is None


# --- pages --------------------------------------------------------------------------------------


def test_accept_language_gives_chinese_pages(read_client):
    page = read_client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "查找临床试验" in page.text
    assert "Accept-Language" in page.headers["vary"]
    english = read_client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Find a clinical trial" in english.text


def test_switch_sets_a_cookie_remembered_on_every_page(client):
    switch = client.get("/language?lang=zh&next=/faq", follow_redirects=False)
    assert switch.status_code == 303 and switch.headers["location"] == "/faq"
    assert "lang=zh" in switch.headers["set-cookie"]
    for url in ("/faq", "/", "/locations", "/trials/ZJCH-HAIC-2024"):
        page = client.get(url, headers={"Accept-Language": "en"})
        assert '<html lang="zh-CN">' in page.text, url
        assert 'id="lang-en"' in page.text  # the way back is on every page
    back = client.get("/language?lang=en&next=/", follow_redirects=False)
    assert back.status_code == 303
    assert '<html lang="en">' in client.get("/").text


def test_switch_refuses_unknown_language_and_foreign_targets(client):
    assert client.get("/language?lang=xx").status_code == 400
    away = client.get("/language?lang=zh&next=//evil.example/x", follow_redirects=False)
    assert away.headers["location"] == "/"


def test_switch_link_returns_to_the_same_page(read_client):
    page = read_client.get("/?q=hepatitis+B")
    link = re.search(r'id="lang-zh" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    response = read_client.get(link, follow_redirects=False)
    assert response.headers["location"] == "/?q=hepatitis+B"


def test_api_stays_english(read_client):
    url = "/api/v1/trials/ZJCH-HAIC-2024"
    en = read_client.get(url, headers={"Accept-Language": "en"})
    read_client.cookies.set("lang", "zh")
    try:
        zh = read_client.get(url, headers={"Accept-Language": "zh-CN"})
    finally:
        read_client.cookies.delete("lang")
    assert zh.status_code == 200 and zh.json() == en.json()
    assert "Accept-Language" not in zh.headers.get("vary", "")


def test_trial_page_in_chinese_keeps_registry_text(read_client):
    zh = {"Accept-Language": "zh-CN"}
    page = read_client.get("/trials/ZJCH-HAIC-2024", headers=zh).text
    english = read_client.get("/trials/ZJCH-HAIC-2024").text
    title = re.search(r"<h1>(.*?)</h1>", english).group(1)
    assert f"<h1>{title}</h1>" in page  # the registered title, unchanged
    for word in ("通俗解读", "参加条件", "研究中心", "联系研究团队", "看看我是否符合条件"):
        assert word in page


def test_eligibility_result_in_chinese(client):
    client.cookies.set("lang", "zh")
    token = csrf_of(client, "/trials/ZJCH-HAIC-2024/eligibility")
    result = client.post(
        "/trials/ZJCH-HAIC-2024/eligibility",
        data={"csrf_token": token, "lab:hbv_dna": "5000 copies/mL"},
    )
    assert result.status_code == 200
    assert "哪些条件把您排除在外" in result.text
    assert "This trial does not seem to be for you" not in result.text
    bad = client.post(
        "/trials/ZJCH-HAIC-2024/eligibility", data={"csrf_token": token, "lab:hbv_dna": "abc"}
    )
    assert bad.status_code == 400 and "个回答无法使用" in bad.text


def test_contact_form_errors_in_chinese(client):
    client.cookies.set("lang", "zh")
    token = csrf_of(client, "/trials/ZJCH-HAIC-2024")
    page = client.post("/trials/ZJCH-HAIC-2024/contact", data={"csrf_token": token})
    assert "请填写您的姓名。" in page.text
    assert "Please give your name." not in page.text
