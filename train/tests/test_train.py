import contextlib
import io
import json
import math
import os
import tempfile
import unittest

import torch

import _common
import tokenizer as T
import train


def make_corpus(d):
    """train.txt, valid.txt and a vocabulary built from them, in directory d."""
    lines = _common.TINY_TEXT.splitlines()
    paths = {"train": os.path.join(d, "train.txt"), "valid": os.path.join(d, "valid.txt")}
    with open(paths["train"], "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(paths["valid"], "w", encoding="utf-8") as f:
        f.write("\n".join(lines[:16]) + "\n")
    with contextlib.redirect_stdout(io.StringIO()):
        T.main(["build", "--train", paths["train"], "--out", os.path.join(d, "vocab"),
                "--vocab-size", "64"])
    paths["vocab"] = os.path.join(d, "vocab", "vocab.txt")
    return paths


def tiny_args(paths, out, *extra):
    return ["--train", paths["train"], "--valid", paths["valid"], "--vocab", paths["vocab"],
            "--out", out, "--embed", "16", "--units", "32", "--proj", "16",
            "--batch-size", "4", "--bptt", "8", "--lr", "0.02", "--warmup-steps", "10",
            "--dropout", "0", "--log-every", "5", "--threads", "1", "--no-progress",
            "--checkpoint-every", "0", "--seed", "7", *extra]


def quiet_train(argv):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return train.main(argv)


class TinyTrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.paths = make_corpus(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_loss_decreases(self):
        out = os.path.join(self.tmp.name, "run")
        res = quiet_train(tiny_args(self.paths, out, "--max-steps", "100", "--epochs", "50"))
        self.assertEqual(res["steps"], 100)
        self.assertEqual(res["stop_reason"], "max-steps")
        losses = [l for _, l in res["train_losses"]]
        self.assertEqual(len(losses), 20)
        V = len(T.read_vocab(self.paths["vocab"]))
        self.assertGreater(losses[0], math.log(V) - 1.0)        # starts near uniform
        self.assertLess(sum(losses[-3:]) / 3, sum(losses[:3]) / 3 - 0.7)
        self.assertLess(res["last_val"]["loss"], math.log(V) - 1.0)
        for name in ("last.pt", "best.pt", "train.log", "metrics.jsonl"):
            self.assertTrue(os.path.isfile(os.path.join(out, name)), name)
        with open(os.path.join(out, "metrics.jsonl")) as f:
            recs = [json.loads(l) for l in f]
        self.assertEqual(recs[-1]["step"], 100)
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual(ck["step"], 100)
        self.assertEqual(ck["vocab"], T.read_vocab(self.paths["vocab"]))
        self.assertEqual(ck["config"]["units"], 32)

    def test_resume(self):
        out = os.path.join(self.tmp.name, "resume")
        first = quiet_train(tiny_args(self.paths, out, "--max-steps", "10"))
        self.assertEqual(first["steps"], 10)
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual((ck["step"], ck["epoch"], ck["chunk"]), (10, 0, 10))
        second = quiet_train(tiny_args(self.paths, out, "--max-steps", "45", "--resume"))
        self.assertEqual(second["steps"], 45)
        self.assertEqual(second["steps_run"], 35)
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual(ck["step"], 45)
        self.assertGreaterEqual(ck["epoch"], 1)           # crossed an epoch end
        with open(os.path.join(out, "train.log")) as f:
            self.assertIn("resumed from", f.read())
        with contextlib.redirect_stderr(io.StringIO()) as err:     # another chunk plan
            with self.assertRaises(SystemExit):
                train.main(tiny_args(self.paths, out, "--bptt", "5", "--resume"))
        self.assertIn("position within the epoch", err.getvalue())

    def test_init_fine_tunes_from_weights(self):
        base = os.path.join(self.tmp.name, "init-base")
        quiet_train(tiny_args(self.paths, base, "--max-steps", "20"))
        src = torch.load(os.path.join(base, "last.pt"))
        out = os.path.join(self.tmp.name, "init-ft")
        # --units differs from the checkpoint's: the checkpoint's model is used
        res = quiet_train(tiny_args(self.paths, out, "--units", "64", "--max-steps", "3",
                                    "--lr", "1e-9", "--warmup-steps", "0",
                                    "--init", os.path.join(base, "last.pt")))
        self.assertEqual(res["steps"], 3)             # a new step count, not 20 + 3
        ck = torch.load(os.path.join(out, "last.pt"))
        self.assertEqual(ck["config"], src["config"])
        for name, w in src["model"].items():          # lr ~ 0: the weights carried over
            self.assertTrue(torch.allclose(ck["model"][name], w, atol=1e-5), name)
        with contextlib.redirect_stderr(io.StringIO()) as err:
            with self.assertRaises(SystemExit):
                train.main(tiny_args(self.paths, out, "--init", os.path.join(base, "last.pt"),
                                     "--resume"))
        self.assertIn("exclude each other", err.getvalue())

    def test_time_limit_stops_with_checkpoint(self):
        out = os.path.join(self.tmp.name, "timed")
        res = quiet_train(tiny_args(self.paths, out, "--epochs", "1000",
                                    "--max-minutes", "0.0001"))
        self.assertTrue(res["stop_reason"].startswith("time limit"), res["stop_reason"])
        self.assertEqual(len(res["history"]), 1)       # validated once, then stopped
        self.assertTrue(os.path.isfile(os.path.join(out, "best.pt")))

    def test_whole_epochs(self):
        out = os.path.join(self.tmp.name, "epochs")
        res = quiet_train(tiny_args(self.paths, out, "--epochs", "2"))
        self.assertEqual(res["stop_reason"], "epochs")
        self.assertEqual([h["epoch"] for h in res["history"]], [1, 2])
        self.assertTrue(all(h["complete_epoch"] for h in res["history"]))

    def test_bad_flags_and_files(self):
        with contextlib.redirect_stderr(io.StringIO()):
            for extra in (["--bptt", "0"], ["--lr", "-1"], ["--dropout", "1.5"],
                          ["--cell", "rnn"]):
                with self.assertRaises(SystemExit) as cm:
                    train.main(tiny_args(self.paths, self.tmp.name + "/x", *extra))
                self.assertEqual(cm.exception.code, 2, extra)
            bad = dict(self.paths, train="/nonexistent/train.txt")
            with self.assertRaises(SystemExit) as cm:
                train.main(tiny_args(bad, self.tmp.name + "/y"))
            self.assertEqual(cm.exception.code, 2)
            with self.assertRaises(SystemExit) as cm:        # tied with proj != embed
                train.main(tiny_args(self.paths, self.tmp.name + "/z", "--proj", "8"))
            self.assertEqual(cm.exception.code, 2)


class DistributedTest(unittest.TestCase):
    """Two ranks on CPU (gloo) started with the environment torchrun sets."""

    def test_two_ranks(self):
        import socket
        import subprocess
        import sys
        with tempfile.TemporaryDirectory() as d:
            paths = make_corpus(d)
            out = os.path.join(d, "ddp")
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            procs = []
            for rank in range(2):
                env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                           WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank),
                           OMP_NUM_THREADS="1")
                procs.append(subprocess.Popen(
                    [sys.executable, os.path.join(_common.TRAIN_DIR, "train.py"),
                     *tiny_args(paths, out, "--batch-size", "2", "--epochs", "1")],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
            logs = []
            for p in procs:
                try:
                    logs.append(p.communicate(timeout=120)[0])
                except subprocess.TimeoutExpired:
                    p.kill()
                    self.fail("a rank did not finish in 120 s")
            self.assertEqual([p.returncode for p in procs], [0, 0], "\n".join(logs))
            self.assertIn("x 2 rank(s)", logs[0])
            self.assertEqual(logs[1].strip(), "")                # only rank 0 writes
            ck = torch.load(os.path.join(out, "last.pt"))
            self.assertEqual((ck["epoch"], ck["chunk"]), (1, 0))


class ScheduleTest(unittest.TestCase):
    def test_warmup_then_cosine(self):
        s = train.LRSchedule("cosine", 1.0, warmup=10, total=110, min_ratio=0.1,
                             plateau_factor=0.5)
        self.assertAlmostEqual(s.lr(0), 0.1)
        self.assertAlmostEqual(s.lr(9), 1.0)
        self.assertAlmostEqual(s.lr(10), 1.0)
        self.assertAlmostEqual(s.lr(60), 0.55)
        self.assertAlmostEqual(s.lr(110), 0.1)
        self.assertAlmostEqual(s.lr(500), 0.1)

    def test_plateau(self):
        s = train.LRSchedule("plateau", 1.0, warmup=0, total=10, min_ratio=0.0,
                             plateau_factor=0.5)
        s.on_validation(improved=True)
        self.assertEqual(s.lr(5), 1.0)
        s.on_validation(improved=False)
        self.assertEqual(s.lr(5), 0.5)
        s2 = train.LRSchedule("plateau", 1.0, 0, 10, 0.0, 0.5)
        s2.load_state_dict(s.state_dict())
        self.assertEqual(s2.lr(5), 0.5)


class BatchingTest(unittest.TestCase):
    def test_rank_sharding_covers_disjoint_streams(self):
        import numpy as np
        ids = np.arange(100, dtype=np.int32)
        shards = [train.batchify(ids, 2, 3, r) for r in range(3)]
        rows = torch.cat(shards).tolist()
        self.assertEqual(len(rows), 6)
        flat = [x for row in rows for x in row]
        self.assertEqual(flat, list(range(96)))               # 6 streams x 16, in order
        self.assertEqual(train.chunks(shards[0], 5), [(0, 5), (5, 5), (10, 5)])


if __name__ == "__main__":
    unittest.main()
