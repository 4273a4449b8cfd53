"""train/from_hunch.py without the CLI: the architecture metadata and bad input.

The round trip through `hunch inspect --dump-weights` (float32 exact, int8
within half a step, train.py --init from it) runs in scripts/parity.sh, which
has a built `hunch`.
"""

import io
import contextlib
import os
import tempfile
import unittest

import _common  # noqa: F401  (import path)
import from_hunch
from from_hunch import FromHunchError, config_from_architecture


ARCH = {"bos_id": 1, "cell": "cifg", "embed": 96, "layers": 1, "proj": 96, "tied": True,
        "units": 670, "vocab_size": 10000, "parameters": 1422250, "gate_order": "f,g,o (i = 1 - f)"}


class ArchitectureTest(unittest.TestCase):
    def test_config_of_the_default_model(self):
        c = config_from_architecture(ARCH, dropout=0.25)
        self.assertEqual((c.cell, c.vocab_size, c.embed, c.units, c.proj, c.layers, c.tied, c.bos_id),
                         ("cifg", 10000, 96, 670, 96, 1, True, 1))
        self.assertEqual(c.dropout, 0.25)

    def test_missing_and_bad_fields(self):
        for k in ("cell", "units", "vocab_size"):
            arch = dict(ARCH)
            del arch[k]
            with self.assertRaisesRegex(FromHunchError, k):
                config_from_architecture(arch)
        with self.assertRaisesRegex(FromHunchError, "architecture metadata"):
            config_from_architecture(dict(ARCH, cell="transformer"))


class CommandLineTest(unittest.TestCase):
    def test_missing_model_is_an_error_not_a_checkpoint(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "x.pt")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = from_hunch.main([os.path.join(d, "none.hunch"), "--out", out])
            self.assertEqual(rc, 1)
            self.assertIn("no such file", err.getvalue())
            self.assertFalse(os.path.exists(out))

    def test_a_file_that_is_not_a_model(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.hunch")
            with open(bad, "wb") as f:
                f.write(b"not a model")
            out = os.path.join(d, "x.pt")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = from_hunch.main([bad, "--out", out, "--hunch", "/nonexistent/hunch"])
            self.assertEqual(rc, 1)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
