import contextlib
import io
import json
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch

import _common  # noqa: F401  (import path)
import export
import tokenizer as T
from model import LanguageModel, ModelConfig
from test_train import make_corpus, quiet_train, tiny_args


def tensor_shape(value_info):
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


class ExportTinyModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.paths = make_corpus(d)
        quiet_train(tiny_args(cls.paths, os.path.join(d, "run"), "--max-steps", "20"))
        cls.onnx_path = os.path.join(d, "model", "lm.onnx")
        offensive = os.path.join(d, "offensive.txt")
        with open(offensive, "w", encoding="utf-8") as f:
            f.write("darn\nheck\n")
        with contextlib.redirect_stdout(io.StringIO()):
            cls.rc = export.main(["--checkpoint", os.path.join(d, "run", "best.pt"),
                                  "--out", cls.onnx_path, "--offensive", offensive])
        cls.proto = onnx.load(cls.onnx_path)
        cls.vocab = T.read_vocab(cls.paths["vocab"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_checker_and_opset(self):
        self.assertEqual(self.rc, 0)
        onnx.checker.check_model(self.proto)
        self.assertGreaterEqual(self.proto.opset_import[0].version, 13)

    def test_metadata(self):
        meta = {p.key: p.value for p in self.proto.metadata_props}
        self.assertEqual(meta["hunch.vocab"].split("\n"), self.vocab)
        tok = json.loads(meta["hunch.tokenizer"])
        self.assertEqual(tok["token_regex"], T.TRAIN_TOKEN_PATTERN)
        self.assertEqual((tok["unk_id"], tok["bos_id"], tok["eos_id"]), (0, 1, 2))
        self.assertTrue(tok["lowercase"])
        arch = json.loads(meta["hunch.architecture"])
        self.assertEqual((arch["cell"], arch["embed"], arch["units"], arch["proj"]),
                         ("cifg", 16, 32, 16))
        self.assertEqual(arch["vocab_size"], len(self.vocab))
        # --offensive: the list as hunch.offensive (hunch convert: section "offensive")
        self.assertEqual(meta["hunch.offensive"], "darn\nheck\n")

    def test_io_names_shapes_and_state_pairs(self):
        g = self.proto.graph
        ins = {i.name: i for i in g.input}
        outs = {o.name: o for o in g.output}
        self.assertEqual(list(ins), ["token", "h_in", "c_in"])
        self.assertEqual(list(outs), ["log_probs", "h_out", "c_out"])
        self.assertEqual(ins["token"].type.tensor_type.elem_type, onnx.TensorProto.INT64)
        self.assertEqual(tensor_shape(ins["token"]), [1])
        self.assertEqual(tensor_shape(ins["h_in"]), [1, 16])
        self.assertEqual(tensor_shape(ins["c_in"]), [1, 32])
        self.assertEqual(tensor_shape(outs["log_probs"]), [1, len(self.vocab)])
        for name in ("h", "c"):       # <name>_in / <name>_out pairs match
            self.assertEqual(tensor_shape(ins[name + "_in"]), tensor_shape(outs[name + "_out"]))

    def test_static_graph_with_shared_embedding(self):
        ops = {n.op_type for n in self.proto.graph.node}
        self.assertFalse(ops & {"Shape", "If", "Loop", "Scan", "ConstantOfShape"}, ops)
        users = [n.op_type for n in self.proto.graph.node if "model.embedding" in n.input]
        self.assertEqual(sorted(users), ["Gather", "Gemm"])       # stored once, used twice
        names = [i.name for i in self.proto.graph.initializer]
        self.assertEqual(names.count("model.embedding"), 1)
        self.assertFalse([n for n in names if n.startswith("onnx::")], names)

    def test_reference_files(self):
        stem = self.onnx_path[:-5]
        with open(stem + ".ref.json") as f:
            ref = json.load(f)
        lp = np.load(stem + ".ref.npy")
        self.assertEqual(lp.shape, (50, len(self.vocab)))
        self.assertEqual(lp.dtype, np.float32)
        self.assertEqual(len(ref["tokens"]), 50)
        self.assertEqual(ref["tokens"][0], 1)
        self.assertTrue(all(0 <= t < len(self.vocab) for t in ref["tokens"]))
        np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, rtol=1e-4)
        self.assertEqual(ref["top5"][3][0][0], int(np.argmax(lp[3])))
        # The ONNX graph itself (NumPy evaluator) reproduces the PyTorch log-probs.
        model, _, _ = export.load_model(os.path.join(self.tmp.name, "run", "best.pt"))
        state = {"h_in": np.zeros((1, 16), np.float32), "c_in": np.zeros((1, 32), np.float32)}
        for t, tok in enumerate(ref["tokens"]):
            res = export.run_onnx_numpy(self.proto, {"token": np.array([tok]), **state})
            np.testing.assert_allclose(res["log_probs"][0], lp[t], atol=1e-4)
            state = {"h_in": res["h_out"], "c_in": res["c_out"]}
        np.testing.assert_allclose(state["c_in"][0], ref["final_state"]["c_out"], atol=1e-5)

    def test_bad_checkpoint(self):
        bad = os.path.join(self.tmp.name, "bad.pt")
        torch.save({"hello": 1}, bad)
        with contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(export.main(["--checkpoint", bad, "--out",
                                          os.path.join(self.tmp.name, "x.onnx")]), 2)
        self.assertIn("not a hunch training checkpoint", err.getvalue())


class ExportVariantsTest(unittest.TestCase):
    def test_gru_and_two_layer_lstm(self):
        vocab = ["<unk>", "<s>", "</s>"] + [f"w{i}" for i in range(27)]
        settings = T.settings_dict(True, len(vocab))
        with tempfile.TemporaryDirectory() as d:
            for cfg, ins in (
                    (ModelConfig(cell="gru", vocab_size=30, embed=8, units=12, proj=8),
                     ["token", "h_in"]),
                    (ModelConfig(cell="lstm", vocab_size=30, embed=8, units=12, proj=8,
                                 layers=2), ["token", "h_in", "c_in", "h1_in", "c1_in"])):
                with self.subTest(cell=cfg.cell, layers=cfg.layers):
                    torch.manual_seed(0)
                    m = LanguageModel(cfg).eval()
                    path = os.path.join(d, f"{cfg.cell}{cfg.layers}.onnx")
                    res = export.export(m, vocab, settings, path, quiet=True)
                    self.assertLess(res["max_err"], 1e-4)
                    proto = onnx.load(path)
                    onnx.checker.check_model(proto)
                    self.assertEqual([i.name for i in proto.graph.input], ins)
                    self.assertEqual([o.name for o in proto.graph.output],
                                     ["log_probs"] + [n[:-3] + "_out" for n in ins[1:]])


if __name__ == "__main__":
    unittest.main()


class EngineMetadataTest(unittest.TestCase):
    def test_lexicon_surface_and_emoji(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            def write(name, text):
                path = os.path.join(d, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                return path
            wl = write("wordlist.tsv", "the\t100\nnasa\t5\nparis\t2\nzebra\t2\nqat\t1\n")
            sf = write("surface.tsv", "nasa\tNASA\nparis\tParis\nthe\tThe\nqat\tQat\n")
            em = write("emoji.tsv", "🦓\tzebra\n🐴\tzebra\n🚀\trocket\n😀\tgrinning_face\n")
            meta = export.engine_metadata(wl, sf, em, min_count=2, vocab=["<unk>", "the"])
            # vocabulary words and words below min_count are not in the lexicon
            self.assertEqual(meta["hunch.lexicon"], "nasa\t5\nparis\t2\nzebra\t2")
            # "^^" = all caps, "^" = capitalized; the rarest kept words (count == min_count)
            # and dropped words keep no spelling
            self.assertEqual(meta["hunch.surface"], "nasa\t^^\nthe\t^")
            # one emoji per keyword, keywords the lexicon holds, letters only
            self.assertEqual(meta["hunch.emoji"], "🦓\tzebra")
            bad = write("bad.tsv", "the\tmany\n")
            with self.assertRaises(export.ExportError):
                export.engine_metadata(bad)

    def test_offensive_words(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            def write(name, data):
                path = os.path.join(d, name)
                with open(path, "wb") as f:
                    f.write(data.encode("utf-8") if isinstance(data, str) else data)
                return path
            # the file's words, one per line with a final newline (the bytes
            # scripts/fetch_offensive_words.sh writes), with or without one in the file
            ok = write("offensive.txt", "darn\ng-spot\nheck\n🖕\n")
            meta = export.engine_metadata(offensive=ok)
            self.assertEqual(meta, {"hunch.offensive": "darn\ng-spot\nheck\n🖕\n"})
            meta = export.engine_metadata(offensive=write("no-newline.txt", "darn\nheck"))
            self.assertEqual(meta["hunch.offensive"], "darn\nheck\n")
            self.assertNotIn("hunch.offensive", export.engine_metadata())
            for bad in ["darn\nHeck\n", "darn\ngosh darn\n", "darn\n\nheck\n", "darn\r\nheck\n",
                        "a" * 65 + "\n", b"h\xc3(ck\n"]:
                with self.assertRaises(export.ExportError, msg=repr(bad)):
                    export.engine_metadata(offensive=write("bad.txt", bad))
            with self.assertRaises(export.ExportError):
                export.engine_metadata(offensive=os.path.join(d, "missing.txt"))
            # the command line option (ExportTinyModelTest.test_metadata runs it)
            out = io.StringIO()
            with self.assertRaises(SystemExit), contextlib.redirect_stdout(out):
                export.main(["--help"])
            self.assertIn("--offensive", out.getvalue())
