#!/usr/bin/env python3
"""Lists functions longer than N lines (default 120) in the .cpp files under src/.

Usage:
    long_functions.py [-n N] [ROOT]     print `path:line name lines`, longest first

A heuristic, not a parser: comments, string and character literals and
preprocessor lines are blanked, then braces are matched. A `{` at namespace or
class scope opens a function when the text before it (back to the previous
`;`, `{` or `}`) holds a parameter list with no top-level `=` before it; the
function's length runs from the line its declaration starts on to the line of
the matching `}`. Everything inside a function (lambdas, local classes) counts
towards that function and is not listed on its own. Exit status 0 either way;
this reports, CI does not enforce it.
"""

import argparse
import pathlib
import re
import sys

KEYWORDS_SCOPE = {"namespace", "class", "struct", "union", "enum", "extern"}


def blank(text: str) -> str:
    """Replaces comments, literals and preprocessor lines with spaces, keeping newlines."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            # A preprocessor line, with backslash continuations.
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                out.append("\n" if text[i] == "\n" else " ")
                i += 1
            continue
        if c == "\n":
            at_line_start = True
            out.append(c)
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.extend(ch if ch == "\n" else " " for ch in text[i:end])
            i = end
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            paren = text.find("(", i + 2)
            delim = ")" + text[i + 2 : paren] + '"'
            end = text.find(delim, paren)
            end = n if end < 0 else end + len(delim)
            out.append('""')
            out.extend(ch if ch == "\n" else " " for ch in text[i + 2 : end])
            i = end
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            # A ' after a digit or letter is a digit separator (30'000) or u8'x' prefix; skip it.
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * max(0, min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_templates(head: str) -> str:
    """Removes `template <...>` headers (their `=` and `class` are not the declaration's)."""
    while True:
        m = re.search(r"\btemplate\s*<", head)
        if not m:
            return head
        depth, j = 0, m.end() - 1
        while j < len(head):
            if head[j] == "<":
                depth += 1
            elif head[j] == ">":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        head = head[: m.start()] + " " * (j + 1 - m.start()) + head[j + 1 :]


def function_name(head: str):
    """The name of the function a declaration head declares, or None if it declares none."""
    head = strip_templates(head)
    head = re.sub(r"\b(public|private|protected)\s*:", " ", head)
    words = re.findall(r"[A-Za-z_]\w*", head)
    if not words or words[0] in KEYWORDS_SCOPE or "(" not in head:
        return None
    if re.match(r"\s*(class|struct|union|enum)\b", head):
        return None
    depth = 0
    for k, ch in enumerate(head):
        if ch == "=" and depth == 0 and not re.search(r"operator\s*[=!<>+\-*/%&|^]*$", head[:k]):
            nxt = head[k + 1 : k + 2]
            if nxt != "=" and head[k - 1 : k] not in "=!<>":
                return None  # an initialised variable (`x = [] {`, `t = {`)
        if ch == "(":
            if depth == 0:
                before = head[:k].rstrip()
                m = re.search(r"(operator\s*(\(\s*\)|[^\s\w(]+|\s+[\w:<>]+)|[~\w:]+)$", before)
                if not m:
                    return None
                name = re.sub(r"\s+", "", m.group(1)) if m.group(1).startswith("operator") else m.group(1)
                if name in {"if", "for", "while", "switch", "return", "sizeof", "decltype", "alignas"}:
                    return None
                return name
            depth += 1
        elif ch == ")":
            depth -= 1
    return None


def scan(path: pathlib.Path, root: pathlib.Path, limit: int):
    text = blank(path.read_text(errors="replace"))
    line_of = [0] * (len(text) + 1)
    line = 1
    for i, ch in enumerate(text):
        line_of[i] = line
        if ch == "\n":
            line += 1
    # Scope stack entries: "ns" (namespace/class/extern: functions may start here),
    # "fn" (a function body), "other" (initialisers, enums, member-init braces).
    stack = []
    head_start = 0
    found = []
    fn_start = None  # (index of declaration start, name) of the open function
    for i, ch in enumerate(text):
        if ch not in "{};":
            continue
        at_decl_scope = all(s == "ns" for s in stack)
        if ch == ";":
            if at_decl_scope:
                head_start = i + 1
            continue
        if ch == "{":
            if not at_decl_scope:
                stack.append("other")
                continue
            head = text[head_start:i]
            prev = head.rstrip()[-1:] if head.strip() else ""
            name = function_name(head)
            # In a constructor's member-initialiser list, `a_{x}` opens a brace
            # after a name; the body's brace follows `)` or `}`.
            if name and re.search(r"\)\s*:(?!:)", strip_templates(head)) and (prev.isalnum() or prev in "_>"):
                stack.append("init")
                continue
            if name:
                stack.append("fn")
                # The declaration starts after any access specifier.
                skip = 0
                for m in re.finditer(r"\b(public|private|protected)\s*:(?!:)", head):
                    skip = m.end()
                start = head_start + skip + (len(head[skip:]) - len(head[skip:].lstrip()))
                fn_start = (start, name)
            elif re.match(r"\s*(namespace|class|struct|union|extern)\b", strip_templates(head)) or re.search(
                r"\b(class|struct|union)\s+\w+[^()]*$", strip_templates(head)
            ):
                stack.append("ns")
                head_start = i + 1
            else:
                stack.append("other")
            continue
        # ch == "}"
        if not stack:
            continue
        kind = stack.pop()
        if kind == "init":
            continue  # still in the declaration head
        if kind == "fn" and all(s == "ns" for s in stack):
            start, name = fn_start
            lines = line_of[i] - line_of[start] + 1
            if lines > limit:
                found.append((str(path.relative_to(root)), line_of[start], name, lines))
        if all(s == "ns" for s in stack):
            head_start = i + 1
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=120, help="list functions longer than this many lines")
    ap.add_argument("root", nargs="?", default=str(pathlib.Path(__file__).resolve().parent.parent))
    args = ap.parse_args()
    root = pathlib.Path(args.root)
    found = []
    for path in sorted((root / "src").rglob("*.cpp")):
        found.extend(scan(path, root, args.n))
    for path, line, name, lines in sorted(found, key=lambda f: (-f[3], f[0], f[1])):
        print(f"{path}:{line} {name} {lines}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
