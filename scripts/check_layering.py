#!/usr/bin/env python3
"""Fails when a module includes a module it may not see (DESIGN.md section 2).

A module may include only modules listed before it; core modules may not
include shell modules. Folders under src/ that are not in the list fail too,
so a new module must be placed in the map first (docs/architecture.md).
"""
import os
import re
import sys

ORDER = ["base", "crypto", "codec", "evm", "trie", "state", "chain", "execution",
         "txpool", "consensus", "runtime", "storage", "p2p", "rpc", "ledger", "indexer", "node",
         "devtools", "cli"]
CORE = set(ORDER[:ORDER.index("consensus") + 1])
RANK = {m: i for i, m in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([a-z0-9_]+)/')


def main(root: str) -> int:
    src = os.path.join(root, "src")
    problems = []
    for mod in sorted(os.listdir(src)):
        d = os.path.join(src, mod)
        if not os.path.isdir(d):
            continue
        if mod not in RANK:
            problems.append(f"src/{mod}: not a module of DESIGN.md section 2")
            continue
        for dirpath, _, files in os.walk(d):
            for f in sorted(files):
                if not f.endswith((".hpp", ".h", ".cpp", ".cc")):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m or m.group(1) not in RANK or m.group(1) == mod:
                            continue
                        dep = m.group(1)
                        rel = os.path.relpath(path, root)
                        if RANK[dep] > RANK[mod]:
                            problems.append(f"{rel}:{n}: {mod} may not include {dep}/ (it comes later)")
                        elif mod in CORE and dep not in CORE:
                            problems.append(f"{rel}:{n}: core module {mod} may not include shell module {dep}/")
    for p in problems:
        print(p)
    print(f"layering: {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
