#!/usr/bin/env python3
"""Keeps the module graph of DESIGN.md section 2 and the CMake files honest.

Usage:
    check_layering.py [ROOT]                 check the tree (exit 1 on a violation)
    check_layering.py [ROOT] --graph         print the module graph from src/CMakeLists.txt
    check_layering.py [ROOT] --update-doc    rewrite the graph block in docs/architecture.md

The only list of modules is src/CMakeLists.txt. Its `trellis_module(NAME DEPS
dep... [LIBS ...] [TEST_LIBS ...] ...)` calls, in file order, are the layer
order; modules called after the single comment line `# shell` are the shell,
those before it the core. (A marker rather than a fixed boundary module, so a
module can be added, moved or renamed by editing that one file; a missing or
repeated marker fails the check.) Upper-case words in a call are keywords, so
DEPS lists run to the next keyword.

An include names module X when it is `#include "X/..."` or `#include <X/...>`
and X is a declared module (names are [a-z][a-z0-9_]*; `p2p` has a digit).

Rules:
  (a) Every folder under src/ is a declared module, and every declared module
      has a folder. DEPS name only declared modules, each declared earlier
      (so CMake's order is the layer order and the graph has no cycle), and
      modules are linked through DEPS, not as trellis_X in LIBS.
  (b) A module includes only modules declared before it; a core module never
      includes a shell module (the marker makes the second follow from the first,
      and the message says which it is).
  (c) Every module a module includes is named directly in its DEPS. Reaching it
      through a dependency's dependency does not count: a transitive edge keeps
      linking only as long as the middle module keeps its own DEPS, and the
      other engineer's move of a file breaks it far from the cause.
  (d) Every module named in DEPS is included by at least one file of the
      module (an error, not a warning: it is one CMake edit when the last
      include goes, and a stale edge draws a false graph).
  (e) tests/<module>/ builds one binary linking trellis_<module>, its
      TEST_LIBS and tests/support (cmake/TrellisModule.cmake). Its files may
      include the module, anything in the module's DEPS closure (CMake links
      DEPS publicly, so the binary links exactly that closure), and modules
      named trellis_X in TEST_LIBS, which must come before the module and be
      included. tests/support is linked into every test binary, so it may
      include only modules every test binary links (in practice: base).
      Any other folder of sources under tests/ fails.
  (f) fuzz/ and bench/: each `trellis_fuzz(NAME DEPS mod...)` in
      fuzz/CMakeLists.txt and `trellis_bench(NAME DEPS mod...)` in
      bench/CMakeLists.txt builds NAME.cpp linked with only those modules.
      Its includes (following quoted includes of headers beside it, such as
      bench_util.hpp) must be exactly its DEPS, as for a module (c, d), and
      every *_fuzz.cpp / *_bench.cpp must have its call.
  (g) docs/architecture.md, if present, holds the output of --graph between
      the lines `<!-- BEGIN check_layering.py --graph -->` and
      `<!-- END check_layering.py --graph -->`; run --update-doc after a DEPS edit.

KNOWN below lists violations that wait for a code move; each silences one
(scope, included module) pair, is printed on every run, and fails the check
once its scope exists but the violation is gone, so it cannot outlive the fix.
"""
import argparse
import os
import re
import sys

SOURCE_EXT = (".hpp", ".h", ".hh", ".ipp", ".inc", ".cpp", ".cc", ".cxx")
MODULE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
KEYWORD = re.compile(r"[A-Z][A-Z0-9_]*\Z")
# Captures any lower-case first path component; whether it is a module is
# decided against the declared list, never by the pattern (p2p has a digit).
MODULE_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([A-Za-z0-9_]+)/')
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"/]+)"')
SHELL_MARKER = re.compile(r"^\s*#\s*shell\s*$", re.IGNORECASE)
TARGET_MODULE = re.compile(r"(?:trellis_|trellis::)([a-z][a-z0-9_]*)\Z")
DOC = os.path.join("docs", "architecture.md")
DOC_BEGIN = "<!-- BEGIN check_layering.py --graph -->"
DOC_END = "<!-- END check_layering.py --graph -->"

# Known violations that need a code move (issue "One home per concern"), keyed
# by (scope, included module). Remove an entry with the move that fixes it.
KNOWN = {}


class Module:
    def __init__(self, name, index, line, deps, libs, test_libs):
        self.name, self.index, self.line = name, index, line
        self.deps, self.libs, self.test_libs = deps, libs, test_libs
        self.shell = False


def strip_cmake_comments(text):
    """Blanks `# ...` line comments and the insides of "strings" (a message
    that names a call is not a call), keeping offsets and line numbers."""
    out, quoted = [], False
    for ch in text:
        if quoted:
            quoted = ch != '"'
            out.append(ch if ch in '"\n' else " ")
        elif ch == '"':
            quoted = True
            out.append(ch)
        elif ch == "#":
            out.append("#")  # a marker; the rest of the line goes below
        else:
            out.append(ch)
    lines = []
    for line in "".join(out).split("\n"):
        cut = line.find("#")
        lines.append(line if cut < 0 else line[:cut] + " " * (len(line) - cut))
    return "\n".join(lines)


def cmake_calls(path, command):
    """Yields (line, name, {KEYWORD: [values]}) for each call of `command` in a CMake file."""
    with open(path, errors="replace") as fh:
        text = strip_cmake_comments(fh.read())
    for m in re.finditer(r"(?<![\w(])" + re.escape(command) + r"\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        words = text[m.end():i - 1].split()
        args, key = {}, None
        for w in words[1:]:
            if KEYWORD.match(w):
                key = w
                args.setdefault(key, [])
            elif key:
                args[key].append(w)
        yield text.count("\n", 0, m.start()) + 1, (words[0] if words else ""), args


def source_files(directory):
    for dirpath, dirnames, files in os.walk(directory):
        dirnames.sort()
        for f in sorted(files):
            if f.endswith(SOURCE_EXT):
                yield os.path.join(dirpath, f)


def includes(path):
    """Yields (line number, first path component, local header or None) for each include."""
    with open(path, errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            m = MODULE_INCLUDE.match(line)
            if m:
                yield n, m.group(1), None
                continue
            m = LOCAL_INCLUDE.match(line)
            if m:
                yield n, None, m.group(1)


class Checker:
    def __init__(self, root):
        self.root = root
        self.problems = []   # [path, line, text, count, None]
        self.allowed = []    # [path, line, text, count, KNOWN reason]
        self.known_hits = set()
        self.seen = {}       # message -> entry, so a message is printed once
        self.modules = {}    # name -> Module, in declaration order

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def report(self, path, line, text, scope=None, dep=None):
        """Records a violation once per message: later hits only raise its count."""
        key = (scope, dep)
        rel = self.rel(path)
        if text in self.seen:
            self.seen[text][3] += 1
            return
        entry = [rel, line, text, 1, KNOWN.get(key)]
        self.seen[text] = entry
        if key in KNOWN:
            self.known_hits.add(key)
            self.allowed.append(entry)
        else:
            self.problems.append(entry)

    # -- declarations ---------------------------------------------------------
    def read_modules(self):
        path = os.path.join(self.root, "src", "CMakeLists.txt")
        if not os.path.isfile(path):
            self.report(path, 0, "missing: the module list is read from here")
            return
        with open(path, errors="replace") as fh:
            markers = [n for n, line in enumerate(fh, 1) if SHELL_MARKER.match(line)]
        if len(markers) != 1:
            self.report(path, markers[1] if markers else 0,
                        f"needs exactly one '# shell' line splitting core from shell (found {len(markers)})")
        shell_from = markers[0] if markers else float("inf")
        for line, name, args in cmake_calls(path, "trellis_module"):
            if not MODULE_NAME.match(name):
                self.report(path, line, f"module name '{name}' is not [a-z][a-z0-9_]*")
                continue
            if name in self.modules:
                self.report(path, line, f"module {name} declared twice")
                continue
            test_libs = [m.group(1) for m in map(TARGET_MODULE.match, args.get("TEST_LIBS", [])) if m]
            mod = Module(name, len(self.modules), line, args.get("DEPS", []), args.get("LIBS", []), test_libs)
            mod.shell = line > shell_from
            self.modules[name] = mod
        for mod in self.modules.values():
            for dep in mod.deps:
                d = self.modules.get(dep)
                if d is None:
                    self.report(path, mod.line, f"{mod.name}: DEPS names {dep}, which is not a declared module")
                elif d.index >= mod.index:
                    self.report(path, mod.line, f"{mod.name}: DEPS names {dep}, which is not declared before it")
            for lib in mod.libs:
                m = TARGET_MODULE.match(lib)
                if m and m.group(1) in self.modules:
                    self.report(path, mod.line, f"{mod.name}: links {lib} in LIBS; name module {m.group(1)} in DEPS")

    def closure(self, names):
        seen, todo = set(), list(names)
        while todo:
            n = todo.pop()
            if n in seen or n not in self.modules:
                continue
            seen.add(n)
            todo.extend(self.modules[n].deps)
        return seen

    # -- (a) (b) (c) (d) --------------------------------------------------------
    def check_src(self):
        src = os.path.join(self.root, "src")
        folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
        for d in folders:
            if d not in self.modules:
                self.report(os.path.join(src, d), 0,
                            f"src/{d} is not a module: declare it with trellis_module() in src/CMakeLists.txt")
        for mod in self.modules.values():
            d = os.path.join(src, mod.name)
            if not os.path.isdir(d):
                self.report(os.path.join(src, "CMakeLists.txt"), mod.line, f"module {mod.name} has no folder src/{mod.name}")
                continue
            used = set()
            for path in source_files(d):
                for n, inc, _ in includes(path):
                    if inc not in self.modules or inc == mod.name:
                        continue
                    used.add(inc)
                    self.check_edge(path, n, f"src/{mod.name}", mod, inc)
            for dep in mod.deps:
                if dep in self.modules and dep not in used:
                    self.report(os.path.join(src, "CMakeLists.txt"), mod.line,
                                f"{mod.name}: DEPS names {dep} but no file in src/{mod.name} includes {dep}/",
                                f"src/{mod.name}", dep)

    def check_edge(self, path, n, scope, mod, inc):
        dep = self.modules[inc]
        if dep.index > mod.index:
            if dep.shell and not mod.shell:
                why = f"core module {mod.name} may not include shell module {inc}/"
            else:
                why = f"{mod.name} may not include {inc}/ (declared after {mod.name} in src/CMakeLists.txt)"
            self.report(path, n, why, scope, inc)
        elif inc not in mod.deps:
            self.report(path, n, f"{mod.name} includes {inc}/ but does not name it in DEPS (src/CMakeLists.txt)",
                        scope, inc)

    # -- (e) --------------------------------------------------------------------
    def check_tests(self):
        tests = os.path.join(self.root, "tests")
        if not os.path.isdir(tests):
            return
        cmake = os.path.join(self.root, "src", "CMakeLists.txt")
        every = None
        for mod in self.modules.values():
            linked = {mod.name} | self.closure(mod.deps)
            every = linked if every is None else every & linked
        for d in sorted(os.listdir(tests)):
            full = os.path.join(tests, d)
            if not os.path.isdir(full) or not any(source_files(full)):
                continue
            scope = f"tests/{d}"
            if d == "support":
                for path in source_files(full):
                    for n, inc, _ in includes(path):
                        if inc in self.modules and inc not in (every or set()):
                            self.report(path, n, f"tests/support is linked into every test binary and may include only "
                                        f"{', '.join(sorted(every or [])) or 'no module'}, not {inc}/", scope, inc)
                continue
            mod = self.modules.get(d)
            if mod is None:
                self.report(full, 0, f"{scope} is neither a module's tests nor tests/support", scope)
                continue
            allowed = {mod.name} | self.closure(mod.deps)
            for t in mod.test_libs:
                if t not in self.modules:
                    continue
                if self.modules[t].index >= mod.index:
                    self.report(cmake, mod.line, f"{mod.name}: TEST_LIBS links trellis_{t}, not declared before {mod.name}",
                                scope, t)
                allowed |= {t} | self.closure(self.modules[t].deps)
            used = set()
            for path in source_files(full):
                for n, inc, _ in includes(path):
                    if inc not in self.modules:
                        continue
                    used.add(inc)
                    if inc in allowed and self.modules[inc].index <= mod.index:
                        continue
                    if self.modules[inc].index > mod.index:
                        why = f"{scope} may not include {inc}/ (declared after {mod.name})"
                    else:
                        why = (f"{scope} includes {inc}/, which {mod.name}_test does not link "
                               f"(not in {mod.name}'s DEPS closure or TEST_LIBS)")
                    self.report(path, n, why, scope, inc)
            for t in mod.test_libs:
                if t in self.modules and t not in used:
                    self.report(cmake, mod.line, f"{mod.name}: TEST_LIBS links trellis_{t} but no file in {scope} "
                                f"includes {t}/", scope, t)

    # -- (f) --------------------------------------------------------------------
    def check_binaries(self, kind):
        directory = os.path.join(self.root, kind)
        cmake = os.path.join(directory, "CMakeLists.txt")
        if not os.path.isfile(cmake):
            return
        declared = {}
        for line, name, args in cmake_calls(cmake, f"trellis_{kind}"):
            declared[name] = (line, args.get("DEPS", []))
        suffix = f"_{kind}.cpp"
        for f in sorted(os.listdir(directory)):
            if f.endswith(suffix) and f[:-4] not in declared:
                self.report(os.path.join(directory, f), 1, f"no trellis_{kind}({f[:-4]} DEPS ...) in {kind}/CMakeLists.txt")
        for name, (line, deps) in declared.items():
            scope = f"{kind}/{name}"
            main = os.path.join(directory, name + ".cpp")
            if not os.path.isfile(main):
                self.report(cmake, line, f"trellis_{kind}({name}) has no source {kind}/{name}.cpp")
                continue
            for dep in deps:
                if dep not in self.modules:
                    self.report(cmake, line, f"{name}: DEPS names {dep}, which is not a declared module")
            used, todo, seen = set(), [main], set()
            while todo:
                path = todo.pop()
                if path in seen:
                    continue
                seen.add(path)
                for n, inc, local in includes(path):
                    if local:
                        header = os.path.join(os.path.dirname(path), local)
                        if os.path.isfile(header):
                            todo.append(header)
                        continue
                    if inc not in self.modules:
                        continue
                    used.add(inc)
                    if inc not in deps:
                        self.report(path, n, f"{name} includes {inc}/ but its trellis_{kind}() DEPS do not name it",
                                    scope, inc)
            for dep in deps:
                if dep in self.modules and dep not in used:
                    self.report(cmake, line, f"{name}: DEPS names {dep} but {name}.cpp includes nothing from {dep}/",
                                scope, dep)

    # -- (g) --------------------------------------------------------------------
    def graph(self):
        width = max((len(m) for m in self.modules), default=0)
        lines, section = [], None
        for mod in self.modules.values():
            s = "shell" if mod.shell else "core"
            if s != section:
                lines.append(f"{s}:")
                section = s
            deps = sorted(mod.deps, key=lambda d: self.modules[d].index if d in self.modules else 1 << 30)
            lines.append((f"  {mod.name:<{width}}" + (f"  -> {' '.join(deps)}" if deps else "")).rstrip())
        return "\n".join(lines) + "\n"

    def doc_block(self):
        return f"{DOC_BEGIN}\n```\n{self.graph()}```\n{DOC_END}"

    def check_doc(self):
        path = os.path.join(self.root, DOC)
        if not os.path.isfile(path):
            return
        with open(path) as fh:
            text = fh.read()
        start, end = text.find(DOC_BEGIN), text.find(DOC_END)
        if start < 0 or end < start:
            self.report(path, 0, f"needs the module graph between '{DOC_BEGIN}' and '{DOC_END}' "
                                 "(scripts/check_layering.py --update-doc)")
        elif text[start:end + len(DOC_END)] != self.doc_block():
            line = text.count("\n", 0, start) + 1
            self.report(path, line, "module graph differs from src/CMakeLists.txt "
                                    "(run scripts/check_layering.py --update-doc)")

    def update_doc(self):
        path = os.path.join(self.root, DOC)
        with open(path) as fh:
            text = fh.read()
        start, end = text.find(DOC_BEGIN), text.find(DOC_END)
        if start < 0 or end < start:
            sys.exit(f"{DOC}: add the lines '{DOC_BEGIN}' and '{DOC_END}' where the graph goes")
        with open(path, "w") as fh:
            fh.write(text[:start] + self.doc_block() + text[end + len(DOC_END):])

    def run(self):
        self.read_modules()
        if not self.modules:
            return
        self.check_src()
        self.check_tests()
        self.check_binaries("fuzz")
        self.check_binaries("bench")
        self.check_doc()
        for (scope, dep), reason in sorted(KNOWN.items()):
            if (scope, dep) not in self.known_hits and os.path.isdir(os.path.join(self.root, scope)):
                self.problems.append(["scripts/check_layering.py", 1,
                                      f"KNOWN entry ({scope}, {dep}) matches nothing any more; delete it", 1, None])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--graph", action="store_true", help="print the module graph declared in src/CMakeLists.txt")
    ap.add_argument("--update-doc", action="store_true", help=f"rewrite the graph block in {DOC}")
    args = ap.parse_args(argv)
    c = Checker(os.path.abspath(args.root))
    if args.graph or args.update_doc:
        c.read_modules()
        if args.update_doc:
            c.update_doc()
        else:
            sys.stdout.write(c.graph())
        return 0
    c.run()
    def where(path, line):
        return f"{path}:{line}:" if line else f"{path}:"

    def more(count):
        return f" (and {count - 1} more like it)" if count > 1 else ""
    for path, line, text, count, reason in c.allowed:
        print(f"{where(path, line)} allowed (KNOWN): {text}{more(count)}\n    reason: {reason}")
    for path, line, text, count, _ in c.problems:
        print(f"{where(path, line)} {text}{more(count)}")
    print(f"layering: {len(c.problems)} violations, {len(c.allowed)} allowed by KNOWN, {len(c.modules)} modules")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
