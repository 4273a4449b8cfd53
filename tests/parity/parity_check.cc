// hunch_parity_check: runs a converted .hunch language model on the reference
// tokens that train/export.py wrote (MODEL.ref.json + MODEL.ref.npy: the
// PyTorch log-probabilities of every step, state carried from zeros) and
// compares step by step. Optionally also runs a second (quantized) model
// and compares it with the float one. Used by scripts/parity.sh.
//
//   hunch_parity_check --model lm.hunch --ref lm.ref.json [--tol 1e-4]
//       [--quantized lm.int8.hunch --min-top1 0.99 --max-ppl-increase 0.02] [--json]
//
// Checks (exit 1 when one fails, 2 for bad arguments or files):
//   float:     max over steps and vocabulary of |log_prob(hunch) - log_prob(PyTorch)| <= tol,
//              and the final state (h_out, c_out, ...) within tol
//   quantized: top-1 agreement with the float hunch model over the steps >= min-top1;
//              perplexity of the reference tokens (steps 1..T-1 predicted from
//              the previous token) at most (1 + max-ppl-increase) x the float model's
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "runtime/lm_signature.h"

namespace {

struct Reference {
  std::vector<int32_t> tokens;
  std::vector<float> log_probs;  // [steps, vocab]
  int64_t vocab = 0;
  nlohmann::json final_state;  // {"h_out": [...], ...}
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// NumPy .npy (v1/v2/v3), little-endian float32, C order, rank 2.
bool ReadNpy(const std::string& path, std::vector<float>* data, int64_t* rows, int64_t* cols,
             std::string* err) {
  std::string bytes;
  if (!ReadFile(path, &bytes)) {
    *err = path + ": cannot read";
    return false;
  }
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    *err = path + ": not a .npy file";
    return false;
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else {
    if (bytes.size() < 12) {
      *err = path + ": truncated header";
      return false;
    }
    header_len = 0;
    for (int k = 0; k < 4; ++k)
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + k])) << (8 * k);
    header_start = 12;
  }
  if (header_start + header_len > bytes.size()) {
    *err = path + ": truncated header";
    return false;
  }
  const std::string header = bytes.substr(header_start, header_len);
  if (header.find("'descr': '<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    *err = path + ": expected little-endian float32 in C order, header " + header;
    return false;
  }
  const size_t sp = header.find("'shape': (");
  if (sp == std::string::npos || std::sscanf(header.c_str() + sp, "'shape': (%ld, %ld)", rows, cols) != 2 ||
      *rows < 1 || *cols < 1) {
    *err = path + ": expected a rank-2 shape, header " + header;
    return false;
  }
  const size_t payload = static_cast<size_t>(*rows * *cols) * sizeof(float);
  if (bytes.size() - header_start - header_len != payload) {
    *err = path + ": " + std::to_string(bytes.size() - header_start - header_len) + " data bytes, " +
           std::to_string(payload) + " expected";
    return false;
  }
  data->resize(static_cast<size_t>(*rows * *cols));
  std::memcpy(data->data(), bytes.data() + header_start + header_len, payload);
  return true;
}

bool ReadReference(const std::string& json_path, Reference* ref, std::string* err) {
  std::string text;
  if (!ReadFile(json_path, &text)) {
    *err = json_path + ": cannot read";
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tokens") || !j.contains("log_probs_npy")) {
    *err = json_path + ": not a train/export.py reference file";
    return false;
  }
  for (const auto& t : j["tokens"]) {
    if (!t.is_number_integer()) {
      *err = json_path + ": tokens must be integers";
      return false;
    }
    ref->tokens.push_back(t.get<int32_t>());
  }
  std::string dir;
  const size_t slash = json_path.find_last_of('/');
  if (slash != std::string::npos) dir = json_path.substr(0, slash + 1);
  int64_t rows = 0;
  if (!ReadNpy(dir + j["log_probs_npy"].get<std::string>(), &ref->log_probs, &rows, &ref->vocab, err))
    return false;
  if (rows != static_cast<int64_t>(ref->tokens.size())) {
    *err = json_path + ": " + std::to_string(ref->tokens.size()) + " tokens but " + std::to_string(rows) +
           " rows";
    return false;
  }
  if (j.contains("final_state")) ref->final_state = j["final_state"];
  return true;
}

struct Run {
  std::vector<float> log_probs;                               // [steps, vocab]
  std::vector<float> state;                                   // SaveState after the last step
  std::vector<std::pair<std::string, size_t>> state_tensors;  // name, float count (packed order)
};

bool RunModel(const std::string& path, const std::vector<int32_t>& tokens, int64_t vocab, Run* run,
              std::string* err) {
  std::shared_ptr<const hunch::Model> model;
  hunch::Status s = hunch::Model::Open(path, {}, &model);
  std::unique_ptr<hunch::Interpreter> lm;
  if (s.ok()) s = hunch::Interpreter::Create(model, {}, &lm);
  hunch::LmSignature sig;
  if (s.ok()) s = hunch::FindLmSignature(*lm, &sig);
  if (!s.ok()) {
    *err = path + ": " + s.ToString();
    return false;
  }
  if (sig.vocab_size != vocab) {
    *err = path + ": output " + std::to_string(sig.log_probs_output) + " holds " + std::to_string(sig.vocab_size) +
           " log-probabilities, not " + std::to_string(vocab);
    return false;
  }
  const int in = sig.token_input, out = sig.log_probs_output;
  for (int32_t t : tokens) {
    *lm->input_data<int32_t>(in) = t;
    s = lm->Invoke();
    if (!s.ok()) {
      *err = path + ": " + s.ToString();
      return false;
    }
    const float* lp = lm->output_data<float>(out);
    run->log_probs.insert(run->log_probs.end(), lp, lp + vocab);
  }
  run->state.resize(lm->state_bytes() / sizeof(float));
  s = lm->SaveState(run->state.data(), run->state.size() * sizeof(float));
  if (!s.ok()) {
    *err = path + ": " + s.ToString();
    return false;
  }
  // States are packed in StatePair order; hunch convert creates the state
  // tensors in that order, so ascending tensor index gives the packing.
  size_t total = 0;
  for (int t = 0; t < model->num_tensors(0); ++t) {
    const hunch::TensorInfo& info = model->tensor(0, t);
    if (!info.is_state) continue;
    run->state_tensors.emplace_back(info.name, info.bytes / sizeof(float));
    total += info.bytes;
  }
  if (total != lm->state_bytes()) run->state_tensors.clear();
  return true;
}

int ArgMax(const float* v, int64_t n) {
  int64_t best = 0;
  for (int64_t k = 1; k < n; ++k)
    if (v[k] > v[best]) best = k;
  return static_cast<int>(best);
}

// Perplexity of tokens[1..T) each predicted from the step before.
double Perplexity(const std::vector<float>& lp, const std::vector<int32_t>& tokens, int64_t vocab) {
  double nll = 0;
  for (size_t t = 0; t + 1 < tokens.size(); ++t) nll -= lp[t * vocab + tokens[t + 1]];
  return std::exp(nll / static_cast<double>(tokens.size() - 1));
}

const char* kUsage =
    "usage: hunch_parity_check --model M.hunch --ref M.ref.json [--tol 1e-4] [--quantized Q.hunch] "
    "[--min-top1 0.99] [--max-ppl-increase 0.02] [--json]\n";

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, ref_path, quant_path;
  double tol = 1e-4, min_top1 = 0.99, max_ppl = 0.02;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    auto number = [&](double* v) {
      std::string s;
      if (!value(&s)) return false;
      char* end = nullptr;
      *v = std::strtod(s.c_str(), &end);
      return !s.empty() && *end == '\0' && std::isfinite(*v) && *v >= 0;
    };
    bool ok = true;
    if (a == "--model")
      ok = value(&model_path);
    else if (a == "--ref")
      ok = value(&ref_path);
    else if (a == "--quantized")
      ok = value(&quant_path);
    else if (a == "--tol")
      ok = number(&tol);
    else if (a == "--min-top1")
      ok = number(&min_top1);
    else if (a == "--max-ppl-increase")
      ok = number(&max_ppl);
    else if (a == "--json")
      json = true;
    else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "hunch_parity_check: bad argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (model_path.empty() || ref_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Reference ref;
  std::string err;
  if (!ReadReference(ref_path, &ref, &err)) {
    std::fprintf(stderr, "hunch_parity_check: %s\n", err.c_str());
    return 2;
  }
  Run f;
  if (!RunModel(model_path, ref.tokens, ref.vocab, &f, &err)) {
    std::fprintf(stderr, "hunch_parity_check: %s\n", err.c_str());
    return 2;
  }
  const int64_t V = ref.vocab;
  const size_t steps = ref.tokens.size();
  double max_diff = 0;
  size_t worst_step = 0, top1_ref = 0;
  for (size_t t = 0; t < steps; ++t) {
    for (int64_t k = 0; k < V; ++k) {
      const double d = std::fabs(static_cast<double>(f.log_probs[t * V + k]) - ref.log_probs[t * V + k]);
      if (!(d <= max_diff)) {  // NaN counts as a difference
        max_diff = std::isnan(d) ? INFINITY : d;
        worst_step = t;
      }
    }
    top1_ref += ArgMax(&f.log_probs[t * V], V) == ArgMax(&ref.log_probs[t * V], V);
  }
  // Final state against the reference's <name>_out values.
  double state_diff = 0;
  int states_compared = 0;
  size_t offset = 0;
  for (const auto& st : f.state_tensors) {
    std::string key = st.first;
    if (key.size() > 3 && key.compare(key.size() - 3, 3, "_in") == 0)
      key = key.substr(0, key.size() - 3) + "_out";
    bool usable = ref.final_state.contains(key) && ref.final_state[key].is_array() &&
                  ref.final_state[key].size() == st.second;
    for (size_t k = 0; usable && k < st.second; ++k) usable = ref.final_state[key][k].is_number();
    if (usable) {
      for (size_t k = 0; k < st.second; ++k)
        state_diff =
            std::fmax(state_diff, std::fabs(f.state[offset + k] - ref.final_state[key][k].get<double>()));
      ++states_compared;
    }
    offset += st.second;
  }
  const double ppl_ref = Perplexity(ref.log_probs, ref.tokens, V);
  const double ppl_f = Perplexity(f.log_probs, ref.tokens, V);
  bool pass = max_diff <= tol && state_diff <= tol;
  std::printf(
      "float: %zu steps, vocab %lld: max |log_prob diff| %.3g (step %zu; tolerance %g), final state max "
      "|diff| %.3g over %d tensors, top-1 agreement with PyTorch %zu/%zu, perplexity %.4f (PyTorch %.4f): "
      "%s\n",
      steps, static_cast<long long>(V), max_diff, worst_step, tol, state_diff, states_compared, top1_ref,
      steps, ppl_f, ppl_ref, max_diff <= tol && state_diff <= tol ? "PASS" : "FAIL");
  nlohmann::json report = {{"steps", steps},
                           {"vocab", V},
                           {"max_abs_diff", max_diff},
                           {"final_state_max_abs_diff", state_diff},
                           {"tolerance", tol},
                           {"perplexity", ppl_f},
                           {"perplexity_pytorch", ppl_ref}};
  if (!quant_path.empty()) {
    Run q;
    if (!RunModel(quant_path, ref.tokens, V, &q, &err)) {
      std::fprintf(stderr, "hunch_parity_check: %s\n", err.c_str());
      return 2;
    }
    size_t agree = 0;
    double qdiff = 0;
    for (size_t t = 0; t < steps; ++t) {
      agree += ArgMax(&q.log_probs[t * V], V) == ArgMax(&f.log_probs[t * V], V);
      for (int64_t k = 0; k < V; ++k)
        qdiff = std::fmax(qdiff, std::fabs(q.log_probs[t * V + k] - f.log_probs[t * V + k]));
    }
    const double top1 = static_cast<double>(agree) / static_cast<double>(steps);
    const double ppl_q = Perplexity(q.log_probs, ref.tokens, V);
    const double increase = ppl_q / ppl_f - 1.0;
    const bool qpass = top1 >= min_top1 && increase <= max_ppl;
    pass = pass && qpass;
    std::printf(
        "quantized: top-1 agreement with the float model %zu/%zu = %.2f%% (need >= %.2f%%), perplexity "
        "%.4f vs %.4f (%+.3f%%, limit +%.2f%%), max |log_prob diff| %.3g: %s\n",
        agree, steps, 100 * top1, 100 * min_top1, ppl_q, ppl_f, 100 * increase, 100 * max_ppl, qdiff,
        qpass ? "PASS" : "FAIL");
    report["quantized"] = {{"top1_agreement", top1},
                           {"perplexity", ppl_q},
                           {"perplexity_increase", increase},
                           {"max_abs_diff_vs_float", qdiff},
                           {"pass", qpass}};
  }
  report["pass"] = pass;
  if (json) std::printf("%s\n", report.dump().c_str());
  return pass ? 0 : 1;
}
