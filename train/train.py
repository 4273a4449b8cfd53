#!/usr/bin/env python3
"""Trains a hunch language model (model.py) on one-paragraph-per-line text.

Data: every line becomes <s> tokens </s>; the lines are concatenated into one
stream, cut into batch-size parallel streams (per rank), and trained with
truncated BPTT in --bptt chunks, the recurrent state carried from chunk to
chunk (and zeroed at every <s>, as the engine does at a line start).  <s> is
never a prediction target.

Runs on CUDA when available (--device), and under torchrun with
DistributedDataParallel without changes: RANK / WORLD_SIZE / LOCAL_RANK select
the rank; each rank trains its own share of the streams; only rank 0 writes
checkpoints and logs.

Outputs in --out: last.pt (every --checkpoint-every steps and at each epoch
end; --resume continues from it), best.pt (best validation loss), train.log,
metrics.jsonl (one JSON record per validation).

Example (see train/README.md):
  train.py --train out/data/train.txt --valid out/data/valid.txt \\
           --vocab out/vocab/vocab.txt --out out/run1 --epochs 8
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import CELLS, LanguageModel, ModelConfig, count_parameters  # noqa: E402
from tokenizer import BOS_ID, UNK_ID, Tokenizer  # noqa: E402

CHECKPOINT_VERSION = 1


class TrainError(Exception):
    pass


# ---------------------------------------------------------------- ranks ----


class Dist:
    """Rank information from torchrun's environment (single process without)."""

    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.enabled = self.world > 1

    @property
    def main(self):
        return self.rank == 0

    def init(self, device):
        if self.enabled and not dist.is_initialized():
            backend = "nccl" if device.type == "cuda" else "gloo"
            dist.init_process_group(backend=backend)

    def all_sum(self, values, device):
        if not self.enabled:
            return list(values)
        t = torch.tensor(values, dtype=torch.float64, device=device)
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return t.tolist()

    def barrier(self):
        if self.enabled:
            dist.barrier()

    def close(self):
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()


# ----------------------------------------------------------------- data ----


def encode_file(path, tok, max_tokens=0):
    """Token ids of a text file: <s> ids </s> per non-empty line, concatenated."""
    if not os.path.isfile(path):
        raise TrainError(f"text file not found: {path}")
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            ids.extend(tok.encode_line(line))
            if max_tokens and len(ids) >= max_tokens:
                ids = ids[:max_tokens]
                break
    if len(ids) < 2:
        raise TrainError(f"{path}: fewer than 2 tokens")
    return np.asarray(ids, dtype=np.int32)


def cached_ids(path, tok, cache_dir, max_tokens, is_main):
    """encode_file, cached as .npy in cache_dir keyed by file, vocab and settings."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update("\n".join(tok.vocab).encode("utf-8"))
    h.update(json.dumps([tok.lowercase, max_tokens, tok.settings()["token_regex"]]).encode())
    cache = os.path.join(cache_dir, f"ids-{os.path.basename(path)}-{h.hexdigest()[:16]}.npy")
    if os.path.isfile(cache):
        return np.load(cache)
    ids = encode_file(path, tok, max_tokens)
    if is_main:
        tmp = cache + f".tmp.{os.getpid()}.npy"
        np.save(tmp, ids)
        os.replace(tmp, cache)
    return ids


def batchify(ids, batch, world, rank, offset=0):
    """[batch, L] slice of the stream for this rank (world*batch streams)."""
    ids = ids[offset:]
    streams = batch * world
    length = len(ids) // streams
    if length < 2:
        raise TrainError(
            f"{len(ids)} tokens are too few for {streams} streams "
            f"(batch {batch} x {world} ranks); lower --batch-size")
    data = torch.from_numpy(ids[: streams * length].astype(np.int64)).view(streams, length)
    return data[rank * batch:(rank + 1) * batch].contiguous()


def chunks(data, bptt):
    """(start, length) of the BPTT chunks over a [B, L] batch."""
    L = data.size(1)
    return [(i, min(bptt, L - 1 - i)) for i in range(0, L - 1, bptt)]


def masked_loss(logits, target):
    """(sum of -log p over targets except <s>, number of such targets)."""
    V = logits.size(-1)
    loss = F.cross_entropy(logits.reshape(-1, V), target.reshape(-1),
                           ignore_index=BOS_ID, reduction="sum")
    return loss, int((target != BOS_ID).sum())


# ------------------------------------------------------------- schedule ----


class LRSchedule:
    """Linear warmup, then cosine decay to min_ratio, or plateau halving."""

    def __init__(self, kind, base_lr, warmup, total, min_ratio, plateau_factor):
        self.kind, self.base_lr, self.warmup = kind, base_lr, warmup
        self.total, self.min_ratio, self.factor = max(total, 1), min_ratio, plateau_factor
        self.plateau_scale = 1.0

    def lr(self, step):
        scale = 1.0
        if self.warmup > 0 and step < self.warmup:
            scale = (step + 1) / self.warmup
        if self.kind == "cosine":
            t = min(max(step - self.warmup, 0) / max(self.total - self.warmup, 1), 1.0)
            scale *= self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * t))
        elif self.kind == "plateau":
            scale *= self.plateau_scale
        return self.base_lr * scale

    def on_validation(self, improved):
        if self.kind == "plateau" and not improved:
            self.plateau_scale *= self.factor

    def state_dict(self):
        return {"plateau_scale": self.plateau_scale}

    def load_state_dict(self, d):
        self.plateau_scale = float(d.get("plateau_scale", 1.0))


# ------------------------------------------------------------ training -----


def evaluate(model, data, bptt, device, ranks):
    """Validation: (loss per token, ppl, in-vocabulary ppl, OOV rate)."""
    model.eval()
    total = count = iv_total = iv_count = unk = 0.0
    state = None
    with torch.no_grad():
        for start, n in chunks(data, bptt):
            inp = data[:, start:start + n].to(device)
            tgt = data[:, start + 1:start + 1 + n].to(device)
            logits, state = model(inp, state)
            lp = torch.log_softmax(logits.float(), dim=-1)
            nll = -lp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
            scored = tgt != BOS_ID
            iv = scored & (tgt != UNK_ID)
            total += float(nll[scored].sum())
            count += float(scored.sum())
            iv_total += float(nll[iv].sum())
            iv_count += float(iv.sum())
            unk += float((tgt == UNK_ID).sum())
    total, count, iv_total, iv_count, unk = ranks.all_sum(
        [total, count, iv_total, iv_count, unk], device)
    model.train()
    loss = total / max(count, 1)
    iv_loss = iv_total / max(iv_count, 1)
    return {"loss": loss, "ppl": math.exp(min(loss, 50)),
            "ppl_in_vocab": math.exp(min(iv_loss, 50)),
            "oov_rate": unk / max(count, 1), "tokens": int(count)}


class Logger:
    def __init__(self, out, enabled):
        self.enabled = enabled
        self.path = os.path.join(out, "train.log")
        self.metrics = os.path.join(out, "metrics.jsonl")

    def log(self, msg, echo=True):
        if not self.enabled:
            return
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        if echo:
            print(msg, flush=True)

    def record(self, rec):
        if self.enabled:
            with open(self.metrics, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")


def save_checkpoint(path, payload):
    tmp = f"{path}.tmp.{os.getpid()}"
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path):
    if not os.path.isfile(path):
        raise TrainError(f"checkpoint not found: {path}")
    try:
        try:
            ck = torch.load(path, map_location="cpu", weights_only=False)
        except TypeError:    # torch < 1.13 has no weights_only
            ck = torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many types for a damaged file
        raise TrainError(f"{path}: not a readable checkpoint ({e})")
    if not isinstance(ck, dict) or ck.get("version") != CHECKPOINT_VERSION:
        raise TrainError(f"{path}: not a hunch training checkpoint (version "
                         f"{ck.get('version') if isinstance(ck, dict) else None})")
    return ck


def layout(args, ranks):
    """What fixes the chunk plan of an epoch; --resume needs the same."""
    return {"batch_size": args.batch_size, "bptt": args.bptt, "world_size": ranks.world,
            "seed": args.seed, "max_train_tokens": args.max_train_tokens}


def pick_device(name, ranks):
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainError("--device cuda: CUDA is not available in this torch build")
    if name in ("cuda", "auto") and torch.cuda.is_available():
        return torch.device("cuda", ranks.local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def build_parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group("data")
    d.add_argument("--train", required=True, help="training text, one paragraph per line")
    d.add_argument("--valid", required=True, help="validation text, one paragraph per line")
    d.add_argument("--vocab", required=True, help="vocab.txt (tokenizer.json beside it)")
    d.add_argument("--out", required=True, help="run directory (checkpoints, logs)")
    d.add_argument("--max-train-tokens", type=int, default=0,
                   help="use only the first N training tokens (0: all)")
    d.add_argument("--max-valid-tokens", type=int, default=0,
                   help="use only the first N validation tokens (0: all)")
    m = p.add_argument_group("model (ignored with --resume or --init: the checkpoint's are used)")
    m.add_argument("--cell", choices=CELLS, default="cifg")
    m.add_argument("--vocab-size", type=int, default=0,
                   help="use the first N tokens of vocab.txt (0: all of them)")
    m.add_argument("--embed", type=int, default=96)
    m.add_argument("--units", type=int, default=670)
    m.add_argument("--proj", type=int, default=96, help="projection size (0: none)")
    m.add_argument("--layers", type=int, default=1)
    m.add_argument("--untied", action="store_true", help="separate output matrix")
    m.add_argument("--dropout", type=float, default=0.1)
    o = p.add_argument_group("optimization")
    o.add_argument("--epochs", type=int, default=8)
    o.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0: no limit)")
    o.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop after this much wall time, validate and checkpoint (0: no limit)")
    o.add_argument("--batch-size", type=int, default=64, help="streams per rank")
    o.add_argument("--bptt", type=int, default=35, help="truncated BPTT length")
    o.add_argument("--optimizer", choices=("adam", "adamw"), default="adam")
    o.add_argument("--lr", type=float, default=2e-3)
    o.add_argument("--weight-decay", type=float, default=0.0)
    o.add_argument("--schedule", choices=("cosine", "plateau", "constant"), default="cosine")
    o.add_argument("--warmup-steps", type=int, default=200)
    o.add_argument("--min-lr-ratio", type=float, default=0.05,
                   help="cosine: final lr as a fraction of --lr")
    o.add_argument("--plateau-factor", type=float, default=0.5,
                   help="plateau: lr factor after an epoch without improvement")
    o.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (0: off)")
    o.add_argument("--patience", type=int, default=2,
                   help="stop after N epochs without validation improvement (0: never)")
    r = p.add_argument_group("run")
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    r.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    r.add_argument("--checkpoint-every", type=int, default=1000,
                   help="write last.pt every N steps (0: only at epoch ends)")
    r.add_argument("--log-every", type=int, default=100, help="log the loss every N steps")
    r.add_argument("--resume", nargs="?", const="", default=None, metavar="CKPT",
                   help="continue from CKPT (default: OUT/last.pt)")
    r.add_argument("--init", metavar="CKPT", default=None,
                   help="start from this checkpoint's model and weights, with a new optimizer, "
                        "schedule and step count (fine-tuning)")
    r.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")
    return p


def check_args(p, a):
    positive = ["epochs", "batch_size", "bptt", "embed", "units", "layers"]
    for name in positive:
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    nonneg = ["max_steps", "vocab_size", "proj", "warmup_steps", "checkpoint_every",
              "threads", "max_train_tokens", "max_valid_tokens", "patience", "max_minutes"]
    for name in nonneg:
        if getattr(a, name) < 0:
            p.error(f"--{name.replace('_', '-')} must be >= 0")
    if a.lr <= 0:
        p.error("--lr must be > 0")
    if not 0 <= a.dropout < 1:
        p.error("--dropout must be in [0, 1)")
    if a.clip < 0 or a.weight_decay < 0:
        p.error("--clip and --weight-decay must be >= 0")
    if a.log_every < 1:
        p.error("--log-every must be >= 1")
    if not 0 < a.plateau_factor <= 1 or not 0 <= a.min_lr_ratio <= 1:
        p.error("--plateau-factor must be in (0, 1] and --min-lr-ratio in [0, 1]")


def run(args):
    for flag, path in (("--train", args.train), ("--valid", args.valid), ("--vocab", args.vocab)):
        if not os.path.isfile(path):
            raise TrainError(f"{flag}: file not found: {path}")
    ranks = Dist()
    device = pick_device(args.device, ranks)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    ranks.init(device)
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    log = Logger(args.out, ranks.main)

    ck = None
    if args.resume is not None and args.init is not None:
        raise TrainError("--resume and --init exclude each other")
    if args.resume is not None:
        ck = load_checkpoint(args.resume or os.path.join(args.out, "last.pt"))
    init_ck = load_checkpoint(args.init) if args.init is not None else None
    model_ck = ck if ck is not None else init_ck
    flag = "--resume" if ck is not None else "--init"

    try:
        tok = Tokenizer.load(args.vocab)
    except (OSError, ValueError) as e:
        raise TrainError(f"--vocab: {e}")
    if model_ck is not None:
        if model_ck["vocab"] != tok.vocab[:len(model_ck["vocab"])]:
            raise TrainError(f"{flag}: the checkpoint's vocabulary differs from --vocab")
        try:
            config = ModelConfig.from_dict(model_ck["config"])
        except (TypeError, ValueError) as e:
            raise TrainError(f"{flag}: bad model config in checkpoint: {e}")
        tok = Tokenizer(model_ck["vocab"], model_ck["tokenizer"]["lowercase"])
    else:
        if args.vocab_size:
            if args.vocab_size > len(tok):
                raise TrainError(f"--vocab-size {args.vocab_size} exceeds {args.vocab} "
                                 f"({len(tok)} tokens)")
            tok = Tokenizer(tok.vocab[:args.vocab_size], tok.lowercase)
        config = ModelConfig(cell=args.cell, vocab_size=len(tok), embed=args.embed,
                             units=args.units, proj=args.proj, layers=args.layers,
                             tied=not args.untied, dropout=args.dropout, bos_id=BOS_ID)
        try:
            config.validate()
        except ValueError as e:
            raise TrainError(str(e))

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    model = LanguageModel(config)
    if init_ck is not None:
        model.load_state_dict(init_ck["model"])
    model = model.to(device)
    train_ids = cached_ids(args.train, tok, args.out, args.max_train_tokens, ranks.main)
    valid_ids = cached_ids(args.valid, tok, args.out, args.max_valid_tokens, ranks.main)
    ranks.barrier()
    valid_data = batchify(valid_ids, min(args.batch_size, 16), ranks.world, ranks.rank)

    params = list(model.parameters())
    opt_cls = torch.optim.AdamW if args.optimizer == "adamw" else torch.optim.Adam
    optimizer = opt_cls(params, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(chunks(batchify(train_ids, args.batch_size, ranks.world, ranks.rank),
                                 args.bptt))
    total_steps = steps_per_epoch * args.epochs
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    sched = LRSchedule(args.schedule, args.lr, args.warmup_steps, total_steps,
                       args.min_lr_ratio, args.plateau_factor)

    step, epoch, next_chunk, best, bad_epochs = 0, 0, 0, float("inf"), 0
    if ck is not None:
        was = ck.get("layout", {})
        now = layout(args, ranks)
        if was != now and ck["chunk"] != 0:      # mid-epoch: the chunk plan must match
            raise TrainError(f"--resume: the checkpoint was trained with {was}, this run has "
                             f"{now}; the position within the epoch would not carry over")
        model.load_state_dict(ck["model"])
        optimizer.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["schedule"])
        step, epoch, next_chunk = ck["step"], ck["epoch"], ck["chunk"]
        best, bad_epochs = ck["best_val"], ck["bad_epochs"]
        torch.set_rng_state(ck["rng"]["torch"])
        log.log(f"resumed from {args.resume or os.path.join(args.out, 'last.pt')}: "
                f"epoch {epoch + 1}, chunk {next_chunk}, step {step}")

    net = model
    if ranks.enabled:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)

    n_params = count_parameters(model)
    log.log(f"model: {json.dumps(config.to_dict(), sort_keys=True)}; {n_params:,} parameters")
    log.log(f"data: {len(train_ids):,} training tokens, {len(valid_ids):,} validation tokens; "
            f"{steps_per_epoch} steps per epoch (batch {args.batch_size} x {ranks.world} "
            f"rank(s), bptt {args.bptt}); device {device}; threads {torch.get_num_threads()}")

    def payload(ep, chunk_idx):
        return {
            "version": CHECKPOINT_VERSION, "model": model.state_dict(),
            "config": config.to_dict(), "vocab": tok.vocab, "tokenizer": tok.settings(),
            "optimizer": optimizer.state_dict(), "schedule": sched.state_dict(),
            "step": step, "epoch": ep, "chunk": chunk_idx, "best_val": best,
            "bad_epochs": bad_epochs, "args": vars(args), "layout": layout(args, ranks),
            "rng": {"torch": torch.get_rng_state()},
        }

    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    show_bar = ranks.main and not args.no_progress and tqdm is not None

    history = []
    train_losses = []    # (step, mean training loss since the previous log line)
    stop_reason = "epochs"
    t_start = time.time()

    def out_of_time():
        return bool(args.max_minutes) and time.time() - t_start >= 60 * args.max_minutes

    train_time = 0.0     # seconds in training steps (validation excluded)
    steps_run = 0        # steps run by this process (differs from step after --resume)
    tokens_seen = 0
    last_val = None
    while epoch < args.epochs:
        offset = random.Random(args.seed * 1000003 + epoch).randrange(args.bptt)
        data = batchify(train_ids, args.batch_size, ranks.world, ranks.rank, offset)
        plan = chunks(data, args.bptt)
        bar = tqdm(total=len(plan), initial=next_chunk, desc=f"epoch {epoch + 1}/{args.epochs}",
                   unit="step", dynamic_ncols=True, leave=True) if show_bar else None
        state = None
        model.train()
        run_loss = run_count = 0.0
        for ci in range(next_chunk, len(plan)):
            if args.max_steps and step >= args.max_steps:
                break
            if out_of_time():
                break
            t0 = time.time()
            start, n = plan[ci]
            inp = data[:, start:start + n].to(device, non_blocking=True)
            tgt = data[:, start + 1:start + 1 + n].to(device, non_blocking=True)
            for g in optimizer.param_groups:
                g["lr"] = sched.lr(step)
            logits, state = net(inp, state)
            state = tuple(s.detach() for s in state)
            loss_sum, count = masked_loss(logits, tgt)
            loss = loss_sum / max(count, 1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(params, args.clip)
            optimizer.step()
            step += 1
            steps_run += 1
            tokens_seen += count * ranks.world
            run_loss += float(loss_sum)     # float() waits for the device
            train_time += time.time() - t0
            run_count += count
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss):.3f}", lr=f"{sched.lr(step):.2e}")
            if step % args.log_every == 0:
                avg = run_loss / max(run_count, 1)
                train_losses.append((step, avg))
                log.log(f"step {step} epoch {epoch + 1} loss {avg:.4f} ppl "
                        f"{math.exp(min(avg, 50)):.1f} lr {sched.lr(step):.3e} "
                        f"{tokens_seen / max(train_time, 1e-9):.0f} tok/s "
                        f"{1000 * train_time / steps_run:.1f} ms/step", echo=bar is None)
                run_loss = run_count = 0.0
            if args.checkpoint_every and step % args.checkpoint_every == 0 and ranks.main:
                save_checkpoint(os.path.join(args.out, "last.pt"), payload(epoch, ci + 1))
        else:
            ci = len(plan)
        if bar is not None:
            bar.close()
        finished_epoch = ci >= len(plan)
        hit_max = bool(args.max_steps) and step >= args.max_steps
        hit_time = out_of_time()

        val = evaluate(model, valid_data, args.bptt, device, ranks)
        last_val = val
        improved = val["loss"] < best
        if improved:
            best = val["loss"]
            bad_epochs = 0
        elif finished_epoch:
            bad_epochs += 1
        sched.on_validation(improved)
        rec = {"epoch": epoch + 1, "step": step, "complete_epoch": finished_epoch,
               "elapsed_s": round(time.time() - t_start, 1), **val}
        history.append(rec)
        log.record(rec)
        log.log(f"validation after epoch {epoch + 1}{'' if finished_epoch else ' (partial)'}, "
                f"step {step}: loss {val['loss']:.4f} ppl {val['ppl']:.2f} in-vocab ppl "
                f"{val['ppl_in_vocab']:.2f} OOV {100 * val['oov_rate']:.2f}%"
                f"{' (best)' if improved else ''}")
        next_epoch, next_chunk_idx = (epoch + 1, 0) if finished_epoch else (epoch, ci)
        if ranks.main:
            save_checkpoint(os.path.join(args.out, "last.pt"), payload(next_epoch, next_chunk_idx))
            if improved:
                save_checkpoint(os.path.join(args.out, "best.pt"),
                                payload(next_epoch, next_chunk_idx))
        epoch, next_chunk = next_epoch, next_chunk_idx
        if hit_max:
            stop_reason = "max-steps"
            break
        if hit_time:
            stop_reason = f"time limit ({args.max_minutes:g} min)"
            break
        if args.patience and bad_epochs >= args.patience:
            stop_reason = f"early stop: {bad_epochs} epochs without improvement"
            break
    ranks.barrier()
    elapsed = time.time() - t_start
    ms = 1000 * train_time / max(steps_run, 1)
    log.log(f"done ({stop_reason}): {step} steps, {elapsed:.1f} s ({steps_run} steps here, "
            f"{ms:.1f} ms per training step), best validation loss {best:.4f} "
            f"(ppl {math.exp(min(best, 50)):.2f})")
    ranks.close()
    return {"steps": step, "best_val_loss": best, "history": history, "last_val": last_val,
            "train_losses": train_losses,
            "elapsed_s": elapsed, "stop_reason": stop_reason, "parameters": n_params,
            "ms_per_step": ms, "steps_run": steps_run}


def main(argv=None):
    p = build_parser()
    args = p.parse_args(argv)
    check_args(p, args)
    try:
        return run(args)
    except TrainError as e:
        print(f"train.py: error: {e}", file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
