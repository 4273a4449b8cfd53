#include "engine/user_model.h"

#include <limits>
#include <mutex>

#include "engine/engine_impl.h"
#include "text/tsv.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

uint32_t SaturatingAdd(uint32_t a, uint64_t b) {
  const uint64_t s = static_cast<uint64_t>(a) + b;
  return s > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max() : static_cast<uint32_t>(s);
}

std::string_view LastLine(std::string_view text) {
  const size_t nl = text.find_last_of('\n');
  return nl == std::string_view::npos ? text : text.substr(nl + 1);
}

}  // namespace

bool UserCounts::IsLearnable(std::string_view token) {
  if (token.size() > kMaxWordBytes || !IsTypeableKey(token)) return false;
  for (size_t pos = 0; pos < token.size();)
    if (text::IsSpace(text::NextCodePoint(token, &pos))) return false;
  return true;
}

void UserCounts::CountWord(const std::string& tok, uint64_t n) {
  const auto r = unigrams_.try_emplace(tok, 0);
  r.first->second = SaturatingAdd(r.first->second, n);
  total_ += n;
  if (r.second) {
    const int32_t idx = lexicon_->Find(tok);
    if (idx >= 0)
      lexicon_words_.push_back(idx);
    else
      other_words_.push_back(tok);
  }
}

void UserCounts::CountPair(const std::string& prev, const std::string& tok, uint64_t n) {
  uint32_t& pair = bigrams_[prev][tok];
  pair = SaturatingAdd(pair, n);
  uint32_t& ctx = pair_totals_[prev];
  ctx = SaturatingAdd(ctx, n);
}

void UserCounts::Learn(std::string_view text) {
  std::vector<text::Piece> pieces;
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t nl = text.find('\n', line_start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(line_start, nl - line_start);
    text::Split(line, &pieces);
    std::string prev;
    for (const text::Piece& p : pieces) {
      std::string tok = tokenizer_->Normalize(line.substr(p.begin, p.end - p.begin));
      if (!IsLearnable(tok)) {
        prev.clear();
        continue;
      }
      CountWord(tok, 1);
      if (!prev.empty()) CountPair(prev, tok, 1);
      prev = std::move(tok);
    }
    line_start = nl + 1;
  }
}

Status UserCounts::LearnWord(std::string_view context, std::string_view word) {
  const std::string tok = tokenizer_->Normalize(word);
  if (!IsLearnable(tok))
    return Status::InvalidArgument(
        "learn: a word must be 1 to 64 bytes of UTF-8 without white space, control characters or U+FFFD");
  const std::string_view line = LastLine(context);
  std::vector<text::Piece> pieces;
  text::Split(line, &pieces);
  CountWord(tok, 1);
  if (!pieces.empty()) {
    const text::Piece& p = pieces.back();
    const std::string prev = tokenizer_->Normalize(line.substr(p.begin, p.end - p.begin));
    if (IsLearnable(prev)) CountPair(prev, tok, 1);
  }
  return Status::OK();
}

void UserCounts::Clear() {
  unigrams_.clear();
  bigrams_.clear();
  pair_totals_.clear();
  total_ = 0;
  lexicon_words_.clear();
  other_words_.clear();
}

double UserCounts::Prob(const std::string& key, const std::string* prev) const {
  auto it1 = unigrams_.find(key);
  if (it1 == unigrams_.end() || total_ == 0) return 0.0;
  const double p_uni = static_cast<double>(it1->second) / total_;
  if (!prev) return p_uni;
  auto ctx = pair_totals_.find(*prev);
  uint32_t pair = 0;
  auto it2 = bigrams_.find(*prev);
  if (it2 != bigrams_.end()) {
    auto w = it2->second.find(key);
    if (w != it2->second.end()) pair = w->second;
  }
  const double n_ctx = ctx == pair_totals_.end() ? 0.0 : ctx->second;
  return (pair + 1.0 * p_uni) / (n_ctx + 1.0);
}

std::string UserCounts::Save() const {
  std::string out = "hunch-user-model 1\n";
  for (const auto& kv : unigrams_) out += "u\t" + kv.first + "\t" + std::to_string(kv.second) + "\n";
  for (const auto& kv : bigrams_)
    for (const auto& w : kv.second) out += "b\t" + kv.first + "\t" + w.first + "\t" + std::to_string(w.second) + "\n";
  return out;
}

Status UserCounts::Load(std::string_view data) {
  const std::string_view header = "hunch-user-model 1\n";
  if (data.substr(0, header.size()) != header)
    return Status::InvalidArgument("user model: missing 'hunch-user-model 1' header");
  UserCounts fresh(lexicon_, tokenizer_);
  std::vector<std::pair<std::string, uint64_t>> words;
  const size_t bad = text::ForEachTsvRow(
      data.substr(header.size()),
      [&](size_t, const std::vector<std::string_view>& f) {
        const bool unigram = f[0] == "u" && f.size() == 3, bigram = f[0] == "b" && f.size() == 4;
        unsigned long long count = 0;
        if (!(unigram || bigram) || !text::ParseTsvCount(f.back(), 10, &count)) return false;
        for (size_t i = 1; i + 1 < f.size(); ++i)
          if (!IsLearnable(f[i])) return false;
        if (unigram)
          fresh.CountWord(std::string(f[1]), count);
        else
          fresh.CountPair(std::string(f[1]), std::string(f[2]), count);
        return true;
      },
      2);
  if (bad) return Status::InvalidArgument("user model: line " + std::to_string(bad) + " is malformed");
  *this = std::move(fresh);
  return Status::OK();
}

}  // namespace engine

// ------------------------------------------------------------ UserModel ----

UserModel::UserModel() = default;
UserModel::~UserModel() = default;

Status UserModel::Create(std::shared_ptr<const Engine> engine, std::shared_ptr<UserModel>* out) {
  if (!engine || !out) return Status::InvalidArgument("user model: null engine or output");
  const Engine::Impl& e = internal::EngineAccess::Get(*engine);
  std::shared_ptr<UserModel> m(new UserModel);
  m->impl_.reset(new Impl(engine, &e.lexicon, &e.tokenizer));
  *out = std::move(m);
  return Status::OK();
}

Status UserModel::Learn(const std::string& text) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  impl_->counts.Learn(text);
  ++impl_->generation;
  return Status::OK();
}

Status UserModel::LearnWord(const std::string& context, const std::string& word) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  Status st = impl_->counts.LearnWord(context, word);
  if (st.ok()) ++impl_->generation;
  return st;
}

void UserModel::Clear() {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  impl_->counts.Clear();
  ++impl_->generation;
}

std::string UserModel::Save() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.Save();
}

Status UserModel::Load(const std::string& data) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  Status st = impl_->counts.Load(data);
  if (st.ok()) ++impl_->generation;
  return st;
}

uint64_t UserModel::word_count() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->counts.total();
}

}  // namespace hunch
