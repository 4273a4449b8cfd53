// hunch quantize IN -o OUT [--weights int8|float16|int4] [--int4-block N]
//   [--int4-all] [--requantize] [--eval-text FILE [--max-lines N]] [--json]
// Post-training weight quantization of a float32 .hunch model (see
// src/builder/quantizer.h for which tensors change and how); with
// --requantize, of an already quantized one (dequantized first). With
// --eval-text, runs the float and the quantized model side by side over the
// text (one context per line, tokenized with the model's own tokenizer) and
// reports both perplexities, top-1 accuracy and their top-1 agreement; when
// the model carries the engine's metadata, also both models' keystroke
// savings and next-word top-1 as `hunch eval` measures them (eval::Evaluate).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "builder/model_builder.h"
#include "builder/model_rewriter.h"
#include "builder/quantizer.h"
#include "eval/evaluate.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "text/tokenizer.h"
#include "tools/cli.h"
#include "tools/json_writer.h"

namespace hunch {
namespace cli {

namespace {

const char* kUsage =
    "hunch quantize IN.hunch -o OUT.hunch [--weights int8|float16|int4] [--int4-block N] [--int4-all] "
    "[--requantize] [--eval-text FILE [--max-lines N]] [--json]\n"
    "  --weights     int8 (default): every weight matrix per output channel; float16: the same matrices\n"
    "                as float16; int4: the embedding in int4 blocks, the other matrices int8\n"
    "  --int4-block  columns per int4 scale (even, default 32)\n"
    "  --int4-all    with --weights int4: every weight matrix in int4 blocks, not only the embedding\n"
    "  --requantize  accept a model whose weights are already float16/int8/int4: each matrix is\n"
    "                dequantized and quantized again (the errors compound; a matrix already in its\n"
    "                target form is kept as is); --eval-text then compares against the input model\n"
    "  --eval-text   compare float and quantized models on this text, one context per line\n"
    "                (perplexity, top-1, agreement); needs the model's vocab/tokenizer metadata\n"
    "  --max-lines   evaluate only the first N contexts\n"
    "  --json        print the report as JSON";


std::string ShapeText(const Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "]";
}

// True when both paths name the same existing file.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

double RelativeChange(double before, double after) { return before > 0 ? (after - before) / before : 0.0; }

// The eval text as eval::Evaluate's token lines: the lines CompareOnText
// reads (split at \n, \r\n or \r; lines without tokens skipped; at most
// max_lines, 0 = all), each split into tokens by the training token rule.
std::vector<std::vector<std::string>> EvalTokenLines(std::string_view text, size_t max_lines) {
  std::vector<std::vector<std::string>> lines;
  std::vector<text::Piece> pieces;
  size_t pos = 0;
  while (pos < text.size() && (max_lines == 0 || lines.size() < max_lines)) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) pos += (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
    text::Split(line, &pieces);
    if (pieces.empty()) continue;
    std::vector<std::string> toks;
    for (const text::Piece& p : pieces) toks.emplace_back(line.substr(p.begin, p.end - p.begin));
    lines.push_back(std::move(toks));
  }
  return lines;
}

// Both models through eval::Evaluate (3 suggestions, no learning).
struct EngineComparison {
  bool done = false;
  std::string why_not;          // when not done: why the model has no engine
  eval::EvalResult result[2];   // float, quantized
};

// Fills *c when the float model opens as an engine; an error only when the
// quantized one then does not, or when an evaluation fails.
Status CompareEngines(const std::shared_ptr<const Model> models[2], std::string_view text, size_t max_lines,
                      EngineComparison* c) {
  static const char* const kWhich[2] = {"float model", "quantized model"};
  const std::vector<std::vector<std::string>> lines = EvalTokenLines(text, max_lines);
  for (int m = 0; m < 2; ++m) {
    std::shared_ptr<const Engine> engine;
    Status s = Engine::FromModel(models[m], EngineOptions(), &engine);
    if (!s.ok() && m == 0) {
      c->why_not = s.message();
      return Status::OK();
    }
    std::unique_ptr<Session> session;
    if (s.ok()) s = engine->NewSession(&session);
    if (s.ok()) s = eval::Evaluate(session.get(), lines, eval::EvalOptions(), &c->result[m]);
    if (!s.ok()) return Status(s.code(), std::string(kWhich[m]) + " engine: " + s.message());
  }
  c->done = true;
  return Status::OK();
}

}  // namespace

int QuantizeMain(int argc, char** argv) {
  std::vector<char*> rewritten;  // accept -o as --output
  static char kOutput[] = "--output";
  for (int i = 0; i < argc; ++i) rewritten.push_back(std::string(argv[i]) == "-o" ? kOutput : argv[i]);
  Args args(static_cast<int>(rewritten.size()), rewritten.data(), {"json", "help", "int4-all", "requantize"});
  if (args.Has("help")) return Help(kUsage);
  if (!args.ok() || !args.CheckKnown({"output", "weights", "int4-block", "int4-all", "requantize", "eval-text", "max-lines", "json",
                         "help"}))
    return Usage("quantize", kUsage, args.error());
  if (args.positional().size() != 1)
    return Usage("quantize", kUsage, args.positional().empty() ? "the input model is missing" : "one input model only");
  if (!args.Has("output") || args.Get("output").empty()) return Usage("quantize", kUsage, "-o OUT.hunch is required");
  const std::string in_path = args.positional()[0], out_path = args.Get("output");
  QuantizeOptions qopt;
  const std::string weights = args.Get("weights", "int8");
  if (!ParseQuantizeWeights(weights, &qopt.weights))
    return Usage("quantize", kUsage, "--weights must be int8, float16 or int4, not '" + weights + "'");
  long long block = 32, max_lines = 0;
  if (!args.GetInt("int4-block", 32, 2, 1 << 20, &block) || !args.GetInt("max-lines", 0, 1, 1LL << 40, &max_lines))
    return Usage("quantize", kUsage, args.error());
  if (block % 2) return Usage("quantize", kUsage, "--int4-block must be even");
  qopt.int4_block_size = static_cast<int>(block);
  qopt.int4_all = args.Has("int4-all");
  qopt.requantize = args.Has("requantize");
  if (qopt.int4_all && qopt.weights != DType::kInt4) return Usage("quantize", kUsage, "--int4-all needs --weights int4");
  if (args.Has("max-lines") && !args.Has("eval-text"))
    return Usage("quantize", kUsage, "--max-lines needs --eval-text");
  const bool json = args.Has("json");
  if (SameFile(in_path, out_path)) return Fail("quantize", out_path + ": the output would replace the input model");

  // Everything that can fail is checked before the output is written.
  std::string eval_text, error;
  const std::string eval_path = args.Get("eval-text");
  if (args.Has("eval-text") && !ReadFile(eval_path, &eval_text, &error)) return Fail("quantize", error);

  std::unique_ptr<ModelRewriter> rw;
  Status s = ModelRewriter::Open(in_path, &rw);
  if (!s.ok()) return Fail("quantize", s);
  text::Tokenizer tokenizer;
  if (args.Has("eval-text")) {
    s = text::Tokenizer::FromModel(rw->model(), &tokenizer);
    if (!s.ok()) return Fail("quantize", in_path + ": --eval-text needs the model's tokenizer: " + s.message());
  }
  QuantizeResult q;
  s = QuantizeModel(rw.get(), qopt, &q);
  if (!s.ok()) return Fail("quantize", in_path + ": " + s.message());

  std::shared_ptr<const Model> quantized;
  CompareResult cmp;
  EngineComparison engines;
  if (args.Has("eval-text")) {
    s = Model::FromBufferCopy(q.file.data(), q.file.size(), {}, &quantized);
    if (s.ok()) {
      CompareOptions copt;
      copt.max_lines = static_cast<size_t>(max_lines);
      s = CompareOnText(rw->shared_model(), quantized, tokenizer, eval_text, copt, &cmp);
    }
    if (s.ok() && cmp.targets > 0) {
      const std::shared_ptr<const Model> models[2] = {rw->shared_model(), quantized};
      s = CompareEngines(models, eval_text, static_cast<size_t>(max_lines), &engines);
    }
    if (!s.ok()) return Fail("quantize", "--eval-text: " + s.message());
    if (cmp.targets == 0) return Fail("quantize", eval_path + ": no tokens to evaluate");
  }
  s = WriteFileAtomic(out_path, q.file.data(), q.file.size());
  if (!s.ok()) return Fail("quantize", s);

  const char* qname = weights == "f16" || weights == "fp16" ? "float16" : weights.c_str();
  if (json) {
    JsonWriter w;
    w.BeginObject();
    w.Key("input").Value(in_path).Key("output").Value(out_path).Key("weights").Value(qname);
    if (qopt.weights == DType::kInt4) w.Key("int4_block").Value(qopt.int4_block_size).Key("int4_all").Value(qopt.int4_all);
    // Whether the input's weights were quantized already (--requantize): the
    // eval's "float" figures are then the input model's.
    w.Key("requantized").Value(q.requantized);
    w.Key("bytes_before").Value(static_cast<unsigned long long>(q.bytes_before));
    w.Key("bytes_after").Value(static_cast<unsigned long long>(q.bytes_after));
    w.Key("tensors").BeginArray();
    for (const QuantizedTensor& t : q.changed) {
      w.BeginObject().Key("name").Value(t.name).Key("use").Value(t.use).Key("shape").BeginArray();
      for (int i = 0; i < t.shape.rank; ++i) w.Value(t.shape.dims[i]);
      w.EndArray().Key("from").Value(DTypeName(t.from)).Key("dtype").Value(DTypeName(t.to));
      w.Key("kept_as_is").Value(t.kept_as_is);
      w.Key("bytes_before").Value(static_cast<unsigned long long>(t.bytes_before));
      w.Key("bytes_after").Value(static_cast<unsigned long long>(t.bytes_after)).EndObject();
    }
    w.EndArray().Key("kept_float32").BeginArray();
    for (const KeptTensor& t : q.kept)
      w.BeginObject()
          .Key("name")
          .Value(t.name)
          .Key("reason")
          .Value(t.reason)
          .Key("bytes")
          .Value(static_cast<unsigned long long>(t.bytes))
          .EndObject();
    w.EndArray();
    if (args.Has("eval-text")) {
      w.Key("eval").BeginObject().Key("text").Value(eval_path);
      w.Key("lines").Value(static_cast<unsigned long long>(cmp.lines));
      w.Key("targets").Value(static_cast<unsigned long long>(cmp.targets));
      w.Key("unk_targets").Value(static_cast<unsigned long long>(cmp.unk_targets));
      static const char* const kNames[2] = {"float", "quantized"};
      for (int m = 0; m < 2; ++m) {
        w.Key(kNames[m]).BeginObject().Key("ppl").Value(cmp.perplexity(m));
        w.Key("ppl_in_vocab").Value(cmp.perplexity_in_vocab(m));
        w.Key("top1").Value(static_cast<double>(cmp.top1_correct[m]) / cmp.targets).EndObject();
      }
      w.Key("ppl_change").Value(RelativeChange(cmp.perplexity(0), cmp.perplexity(1)));
      w.Key("ppl_in_vocab_change").Value(RelativeChange(cmp.perplexity_in_vocab(0), cmp.perplexity_in_vocab(1)));
      w.Key("top1_agreement").Value(static_cast<double>(cmp.top1_agree) / cmp.targets);
      w.Key("mean_kl").Value(cmp.kl / cmp.targets);
      w.Key("max_abs_logprob_diff").Value(cmp.max_abs_diff);
      // The engine's figures (percent, as `hunch eval --json` gives them).
      w.Key("engine");
      if (engines.done) {
        const eval::EvalResult& f = engines.result[0];
        w.BeginObject().Key("suggestions").Value(eval::EvalOptions().suggestions);
        w.Key("lines").Value(f.lines).Key("words").Value(f.words).Key("skipped_tokens").Value(f.skipped_tokens);
        for (int m = 0; m < 2; ++m) {
          const eval::EvalResult& r = engines.result[m];
          w.Key(kNames[m]).BeginObject().Key("ksr").Value(r.ksr()).Key("top1").Value(r.top1()).EndObject();
        }
        w.Key("ksr_change").Value(engines.result[1].ksr() - f.ksr());
        w.Key("top1_change").Value(engines.result[1].top1() - f.top1());
        w.EndObject();
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndObject();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }

  std::printf("%s -> %s: %s weights%s%s\n", in_path.c_str(), out_path.c_str(), qname,
              qopt.int4_all && qopt.weights == DType::kInt4 ? " (every matrix)" : "",
              q.requantized ? ", requantized: the input was quantized already (dequantized first)" : "");
  size_t name_w = 6, use_w = 3;
  for (const QuantizedTensor& t : q.changed) {
    name_w = std::max(name_w, t.name.size());
    use_w = std::max(use_w, t.use.size());
  }
  std::printf("  %-*s  %-14s %-*s  %-8s %s\n", static_cast<int>(name_w), "tensor", "shape", static_cast<int>(use_w),
              "use", "dtype", "bytes (scales included)");
  for (const QuantizedTensor& t : q.changed)
    std::printf("  %-*s  %-14s %-*s  %-9s %s -> %s%s\n", static_cast<int>(name_w), t.name.c_str(),
                ShapeText(t.shape).c_str(), static_cast<int>(use_w), t.use.c_str(),
                t.from == DType::kFloat32 ? DTypeName(t.to)
                                          : (std::string(DTypeName(t.from)) + ">" + DTypeName(t.to)).c_str(),
                Thousands(t.bytes_before).c_str(), Thousands(t.bytes_after).c_str(),
                t.kept_as_is ? " (kept as is)" : "");
  for (const KeptTensor& t : q.kept)
    std::printf("  kept float32: %s (%s bytes): %s\n", t.name.c_str(), Thousands(t.bytes).c_str(), t.reason.c_str());
  std::printf("size: %s -> %s bytes (%.1f%%)\n", Thousands(q.bytes_before).c_str(), Thousands(q.bytes_after).c_str(),
              100.0 * q.bytes_after / q.bytes_before);
  if (args.Has("eval-text")) {
    std::printf("eval: %s, %s lines, %s targets (%s <unk>, %.2f%%)\n", eval_path.c_str(), Thousands(cmp.lines).c_str(),
                Thousands(cmp.targets).c_str(), Thousands(cmp.unk_targets).c_str(),
                100.0 * cmp.unk_targets / cmp.targets);
    std::printf("  %-22s %12s %12s %9s\n", "", q.requantized ? "input" : "float32", qname, "change");
    std::printf("  %-22s %12.3f %12.3f %+8.3f%%\n", "perplexity", cmp.perplexity(0), cmp.perplexity(1),
                100 * RelativeChange(cmp.perplexity(0), cmp.perplexity(1)));
    std::printf("  %-22s %12.3f %12.3f %+8.3f%%\n", "perplexity in-vocab", cmp.perplexity_in_vocab(0),
                cmp.perplexity_in_vocab(1),
                100 * RelativeChange(cmp.perplexity_in_vocab(0), cmp.perplexity_in_vocab(1)));
    std::printf("  %-22s %11.2f%% %11.2f%%\n", "next-word top-1", 100.0 * cmp.top1_correct[0] / cmp.targets,
                100.0 * cmp.top1_correct[1] / cmp.targets);
    std::printf("  %-22s %25.2f%%\n", "top-1 agreement", 100.0 * cmp.top1_agree / cmp.targets);
    std::printf("  %-22s %26.3g\n", "mean KL (nats)", cmp.kl / cmp.targets);
    std::printf("  %-22s %26.3g\n", "max |log p difference|", cmp.max_abs_diff);
    if (engines.done) {
      const eval::EvalResult* r = engines.result;
      const std::string skipped = r[0].skipped_tokens ? ", " + Thousands(r[0].skipped_tokens) + " skipped" : "";
      std::printf("engine (hunch eval's protocol): %s lines, %s tokens%s\n", Thousands(r[0].lines).c_str(),
                  Thousands(r[0].words).c_str(), skipped.c_str());
      std::printf("  %-22s %11.2f%% %11.2f%% %+6.2f pt\n",
                  ("KSR@" + std::to_string(eval::EvalOptions().suggestions)).c_str(), r[0].ksr(), r[1].ksr(),
                  r[1].ksr() - r[0].ksr());
      std::printf("  %-22s %11.2f%% %11.2f%% %+6.2f pt\n", "engine next-word top-1", r[0].top1(), r[1].top1(),
                  r[1].top1() - r[0].top1());
    } else {
      std::printf("engine: not evaluated (%s)\n", engines.why_not.c_str());
    }
  }
  return 0;
}

}  // namespace cli
}  // namespace hunch
