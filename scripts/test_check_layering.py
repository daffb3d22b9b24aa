#!/usr/bin/env python3
"""Tests for check_layering.py (the `layering_selftest` CTest test).

Each case builds a small fake tree (or copies the real one) into a temporary
directory, plants one violation and asserts that the check fails naming it;
the clean trees must pass. The fake tree has a module with a digit in its name
(p2p), so a regression to an include pattern without digits fails here.
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import unittest.mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "check_layering.py")
sys.path.insert(0, HERE)
import check_layering  # noqa: E402

FAKE = {
    "src/CMakeLists.txt": """\
        # core
        trellis_module(base TEST_LIBS ${GMP_LIBRARY})
        trellis_module(codec DEPS base)

        # shell
        trellis_module(p2p DEPS base codec LIBS Threads::Threads)
        trellis_module(node DEPS base p2p
                       LIBS nlohmann_json::nlohmann_json)
        """,
    "src/base/bytes.hpp": "#pragma once\n#include <cstdint>\n",
    "src/codec/rlp.hpp": '#pragma once\n#include "base/bytes.hpp"\n',
    "src/codec/rlp.cpp": '#include "codec/rlp.hpp"\n',
    "src/p2p/frame.hpp": '#pragma once\n#include "base/bytes.hpp"\n#include <codec/rlp.hpp>\n',
    "src/node/service.hpp": '#pragma once\n#include "base/bytes.hpp"\n#include "p2p/frame.hpp"\n',
    "src/node/main/run.cpp": '#include "node/service.hpp"\n',
    "tests/support/fixtures.hpp": '#pragma once\n#include "base/bytes.hpp"\n',
    "tests/codec/rlp_test.cpp": '#include "codec/rlp.hpp"\n#include "base/bytes.hpp"\n#include "support/fixtures.hpp"\n',
    # codec is in node's DEPS closure (through p2p), which node_test links.
    "tests/node/service_test.cpp": '#include "node/service.hpp"\n#include "codec/rlp.hpp"\n',
    "fuzz/CMakeLists.txt": """\
        function(trellis_fuzz name)
        endfunction()
        trellis_fuzz(frame_fuzz DEPS p2p)
        message(STATUS "trellis_fuzz(not_a_call DEPS node)")
        """,
    "fuzz/frame_fuzz.cpp": '#include "p2p/frame.hpp"\n',
    "bench/CMakeLists.txt": "trellis_bench(rlp_bench DEPS base codec)  # base through util.hpp\n",
    "bench/rlp_bench.cpp": '#include "codec/rlp.hpp"\n#include "util.hpp"\n',
    "bench/util.hpp": '#pragma once\n#include "base/bytes.hpp"\n',
}
FAKE_DOC = "# Architecture\n\n{block}\n\nMore text.\n"
FAKE_GRAPH = """\
core:
  base
  codec  -> base
shell:
  p2p    -> base codec
  node   -> base p2p
"""


def run_check(root, *extra):
    proc = subprocess.run([sys.executable, SCRIPT, root, *extra], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


class TreeCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="layering_test_")
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)

    def append(self, rel, text):
        with open(os.path.join(self.root, rel), "a") as fh:
            fh.write(text)

    def replace(self, rel, old, new):
        path = os.path.join(self.root, rel)
        with open(path) as fh:
            text = fh.read()
        self.assertIn(old, text)
        with open(path, "w") as fh:
            fh.write(text.replace(old, new))

    def assert_passes(self):
        rc, out = run_check(self.root)
        self.assertEqual(rc, 0, out)
        self.assertIn("layering: 0 violations", out)

    def assert_fails(self, *fragments):
        rc, out = run_check(self.root)
        self.assertEqual(rc, 1, out)
        for f in fragments:
            self.assertIn(f, out)
        return out


class FakeTree(TreeCase):
    def setUp(self):
        super().setUp()
        for rel, text in FAKE.items():
            self.write(rel, textwrap.dedent(text))
        self.write("docs/architecture.md", FAKE_DOC.format(block=self.block(FAKE_GRAPH)))

    @staticmethod
    def block(graph):
        return f"{check_layering.DOC_BEGIN}\n```\n{graph}```\n{check_layering.DOC_END}"

    def test_clean_tree_passes(self):
        self.assert_passes()

    def test_graph_is_read_from_cmake(self):
        rc, out = run_check(self.root, "--graph")
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, FAKE_GRAPH)

    # (b) order, including a module whose name has a digit
    def test_core_including_shell_module_with_digit_fails(self):
        self.append("src/codec/rlp.cpp", '#include "p2p/frame.hpp"\n')
        self.assert_fails("src/codec/rlp.cpp:2:", "core module codec may not include shell module p2p/")

    def test_angle_include_of_later_module_fails(self):
        self.append("src/p2p/frame.hpp", "#include <node/service.hpp>\n")
        self.assert_fails("src/p2p/frame.hpp:4:", "p2p may not include node/")

    def test_deps_naming_a_later_module_fails(self):
        self.replace("src/CMakeLists.txt", "trellis_module(codec DEPS base)", "trellis_module(codec DEPS base node)")
        self.assert_fails("codec: DEPS names node, which is not declared before it")

    def test_missing_shell_marker_fails(self):
        self.replace("src/CMakeLists.txt", "# shell\n", "\n")
        self.assert_fails("needs exactly one '# shell' line")

    # (a) folders and declarations
    def test_unknown_folder_fails(self):
        self.write("src/ledger/ledger.cpp", '#include "base/bytes.hpp"\n')
        self.assert_fails("src/ledger is not a module")

    def test_declared_module_without_folder_fails(self):
        self.append("src/CMakeLists.txt", "trellis_module(indexer DEPS base)\n")
        self.assert_fails("module indexer has no folder src/indexer")

    def test_module_linked_through_libs_fails(self):
        self.replace("src/CMakeLists.txt", "LIBS Threads::Threads", "LIBS Threads::Threads trellis_base")
        self.assert_fails("p2p: links trellis_base in LIBS")

    # (c) every included module is named in DEPS
    def test_undeclared_dep_fails(self):
        self.append("src/node/service.hpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("src/node/service.hpp:4:", "node includes codec/ but does not name it in DEPS")

    def test_include_in_a_subfolder_counts(self):
        self.append("src/node/main/run.cpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("src/node/main/run.cpp:2:", "node includes codec/")

    # (d) every DEPS entry is included
    def test_unused_dep_fails(self):
        self.replace("src/p2p/frame.hpp", "#include <codec/rlp.hpp>\n", "")
        self.assert_fails("p2p: DEPS names codec but no file in src/p2p includes codec/")

    def test_unused_dep_on_digit_module_fails(self):
        self.replace("src/node/service.hpp", '#include "p2p/frame.hpp"\n', "")
        self.assert_fails("node: DEPS names p2p but no file in src/node includes p2p/")

    # (e) tests
    def test_test_including_unlinked_module_fails(self):
        self.append("tests/codec/rlp_test.cpp", '#include "p2p/frame.hpp"\n')
        self.assert_fails("tests/codec/rlp_test.cpp:4:", "tests/codec may not include p2p/")

    def test_test_including_earlier_module_outside_the_closure_fails(self):
        self.replace("src/CMakeLists.txt", "trellis_module(codec DEPS base)\n",
                     "trellis_module(codec DEPS base)\ntrellis_module(evm DEPS base)\n")
        self.write("src/evm/evm.hpp", '#pragma once\n#include "base/bytes.hpp"\n')
        self.write("tests/p2p/frame_test.cpp", '#include "p2p/frame.hpp"\n#include "evm/evm.hpp"\n')
        self.assert_fails("tests/p2p/frame_test.cpp:2:", "tests/p2p includes evm/, which p2p_test does not link")

    def test_support_including_more_than_every_binary_links_fails(self):
        self.append("tests/support/fixtures.hpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("tests/support is linked into every test binary and may include only base, not codec/")

    def test_tests_of_unknown_module_fail(self):
        self.write("tests/ledger/ledger_test.cpp", '#include "base/bytes.hpp"\n')
        self.assert_fails("tests/ledger is neither a module's tests nor tests/support")

    def test_test_libs_of_later_module_fails(self):
        self.replace("src/CMakeLists.txt", "trellis_module(codec DEPS base)",
                     "trellis_module(codec DEPS base TEST_LIBS trellis_node)")
        self.append("tests/codec/rlp_test.cpp", '#include "node/service.hpp"\n')
        self.assert_fails("codec: TEST_LIBS links trellis_node, not declared before codec",
                          "tests/codec may not include node/")

    def test_known_entry_allows_and_goes_stale(self):
        self.replace("src/CMakeLists.txt", "trellis_module(codec DEPS base)",
                     "trellis_module(codec DEPS base TEST_LIBS trellis_node)")
        self.append("tests/codec/rlp_test.cpp", '#include "node/service.hpp"\n')
        known = {("tests/codec", "node"): "waits for a move"}
        with unittest.mock.patch.dict(check_layering.KNOWN, known, clear=True):
            rc, out = self.check_in_process()
            self.assertEqual(rc, 0, out)
            self.assertIn("allowed (KNOWN): tests/codec may not include node/", out)
            self.replace("tests/codec/rlp_test.cpp", '#include "node/service.hpp"\n', "")
            self.replace("src/CMakeLists.txt", " TEST_LIBS trellis_node", "")
            rc, out = self.check_in_process()
            self.assertEqual(rc, 1, out)
            self.assertIn("KNOWN entry (tests/codec, node) matches nothing any more", out)

    def check_in_process(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = check_layering.main([self.root])
        return rc, buf.getvalue()

    # (f) fuzz and bench
    def test_fuzz_include_missing_from_its_deps_fails(self):
        self.append("fuzz/frame_fuzz.cpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("fuzz/frame_fuzz.cpp:2:", "frame_fuzz includes codec/ but its trellis_fuzz() DEPS do not name it")

    def test_fuzz_source_without_a_call_fails(self):
        self.write("fuzz/rlp_fuzz.cpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("no trellis_fuzz(rlp_fuzz DEPS ...) in fuzz/CMakeLists.txt")

    def test_bench_dep_used_only_by_a_local_header_counts(self):
        self.replace("bench/util.hpp", '#include "base/bytes.hpp"\n', "")
        self.assert_fails("rlp_bench: DEPS names base but rlp_bench.cpp includes nothing from base/")

    # (g) the doc's graph
    def test_stale_doc_graph_fails_and_update_doc_fixes_it(self):
        self.replace("src/CMakeLists.txt", "trellis_module(node DEPS base p2p", "trellis_module(node DEPS base codec p2p")
        self.append("src/node/service.hpp", '#include "codec/rlp.hpp"\n')
        self.assert_fails("docs/architecture.md:3: module graph differs from src/CMakeLists.txt")
        rc, out = run_check(self.root, "--update-doc")
        self.assertEqual(rc, 0, out)
        self.assert_passes()
        with open(os.path.join(self.root, "docs/architecture.md")) as fh:
            self.assertIn("node   -> base codec p2p\n", fh.read())


class RealTree(TreeCase):
    def copy_real_tree(self):
        for d in ("src", "tests", "fuzz", "bench", "docs"):
            if os.path.isdir(os.path.join(ROOT, d)):
                shutil.copytree(os.path.join(ROOT, d), os.path.join(self.root, d),
                                ignore=shutil.ignore_patterns("corpus", "build*"))

    def test_real_tree_passes(self):
        rc, out = run_check(ROOT)
        self.assertEqual(rc, 0, out)

    def test_doc_graph_equals_cmake_graph(self):
        rc, graph = run_check(ROOT, "--graph")
        self.assertEqual(rc, 0, graph)
        self.assertIn("  p2p ", graph)
        with open(os.path.join(ROOT, check_layering.DOC)) as fh:
            doc = fh.read()
        self.assertIn(f"{check_layering.DOC_BEGIN}\n```\n{graph}```\n{check_layering.DOC_END}", doc)

    def test_p2p_including_node_fails(self):
        self.copy_real_tree()
        self.assert_passes_or_only_known()
        p2p = sorted(f for f in os.listdir(os.path.join(self.root, "src", "p2p")) if f.endswith(".cpp"))[0]
        self.append(f"src/p2p/{p2p}", '\n#include "node/service.hpp"\n')
        self.assert_fails(f"src/p2p/{p2p}:", "p2p may not include node/")

    def test_undeclared_dep_in_real_tree_fails(self):
        self.copy_real_tree()
        # base is first, so it may include nothing: any other module is undeclared or later.
        self.append("src/base/hex.hpp", '\n#include "crypto/keccak.hpp"\n')
        self.assert_fails("src/base/hex.hpp:", "base may not include crypto/")
        self.replace("src/base/hex.hpp", '\n#include "crypto/keccak.hpp"\n', "")
        # trie does not declare evm: both are core, evm comes first.
        self.assertNotIn("evm", self.deps_of("trie"))
        trie = sorted(os.listdir(os.path.join(self.root, "src", "trie")))[0]
        self.append(f"src/trie/{trie}", '\n#include "evm/evm.hpp"\n')
        self.assert_fails("trie includes evm/ but does not name it in DEPS")

    def test_unknown_folder_in_real_tree_fails(self):
        self.copy_real_tree()
        self.write("src/misc/util.hpp", "#pragma once\n")
        self.assert_fails("src/misc is not a module")

    def assert_passes_or_only_known(self):
        rc, out = run_check(self.root)
        self.assertEqual(rc, 0, out)

    def deps_of(self, name):
        c = check_layering.Checker(self.root)
        c.read_modules()
        return c.modules[name].deps


if __name__ == "__main__":
    unittest.main()
