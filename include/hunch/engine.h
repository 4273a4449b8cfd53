// Engine and Session: the keyboard prediction engine.
//
// An Engine is opened once from a .hunch file that holds the language model
// (a single-step recurrent LM with input "token", output "log_probs" and its
// state pairs) and the text metadata the toolchain packs beside it:
//   "vocab"      the LM's tokens, one per line in id order (required)
//   "tokenizer"  the tokenizer settings JSON (required)
//   "lexicon"    token<TAB>count lines: every word of the training text with
//                its frequency, the long tail beyond the LM's vocabulary
//                (optional; without it only vocabulary words are suggested)
//   "surface"    token<TAB>display spelling ("i" -> "I", "nasa" -> "NASA";
//                "^" = first letter upper-case, "^^" = all upper-case) (optional)
//   "emoji"      emoji<TAB>keyword lines (optional)
//   "lexicon.bin", "emoji.bin"  the lexicon and the emoji table laid out flat
//                (docs/format.md, "Engine sections"), derived from the text
//                entries by the toolchain: the engine uses them where they lie
//                in the mapped file, after checking them, and builds them
//                from the text at open when they are missing
// train/export.py writes them as ONNX metadata_props "hunch.<name>" and
// `hunch convert` carries them over. The LM's input is "token" (int32 [1])
// and its output "log_probs" (or the model's only input and output).
// A Session is one text field: it keeps the LM state of the text before the
// cursor and answers Suggest calls.
//
//   std::shared_ptr<const hunch::Engine> engine;
//   HUNCH_RETURN_IF_ERROR(hunch::Engine::Open("en.hunch", {}, &engine));
//   std::unique_ptr<hunch::Session> session;
//   HUNCH_RETURN_IF_ERROR(engine->NewSession(&session));
//   hunch::SuggestRequest req;
//   req.context = "I will see you";
//   req.typed = "tom";
//   std::vector<hunch::Suggestion> out;
//   HUNCH_RETURN_IF_ERROR(session->Suggest(req, &out));   // "tomorrow", ...
//
// How a request is answered: the context is split into tokens with the
// model's tokenizer; the LM is stepped once per committed token (never per
// keystroke), from the start of the context's last line, at most
// EngineOptions::max_context_tokens tokens back. Recent states are cached, so
// appending a word costs one LM step and a backspace or cursor move back costs
// none. The LM distribution over its vocabulary is merged with the lexicon's
// long tail (an unknown-word class model: P(w) = P(<unk>) * count(w) / the
// counts of all words outside the vocabulary). Candidates for the typed word
// are the lexicon words the typed characters (or touches) could be the start
// of, scored as log P(word | context) minus a spatial/edit channel cost
// (Gaussian touch likelihood around key centres; neighbour-key substitution,
// omission, insertion and transposition for characters).
//
// Thread safety: an Engine is immutable once opened; share it between any
// number of threads and sessions. A Session is used by one thread at a time.
// Lifetime: a Session keeps its Engine alive (shared_ptr).
//
// Errors: every call returns a Status; bad UTF-8 in the text is replaced by
// U+FFFD; touches far outside the layout are kInvalidArgument.
#ifndef HUNCH_ENGINE_H_
#define HUNCH_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hunch/export.h"
#include "hunch/model.h"
#include "hunch/status.h"

namespace hunch {

// A keyboard layout: keys with labels (one character each) and rectangles in
// any unit (key widths, points, pixels: touches use the same unit).
struct Key {
  std::string label;  // UTF-8, one code point (lower case for letters)
  float x = 0, y = 0, width = 1, height = 1;  // top-left corner and size
};

class HUNCH_EXPORT KeyboardLayout {
 public:
  // The QWERTY letter rows of shared/EVAL.md: keys 1 x 1, q..p centred at
  // x = 0.5..9.5, y = 0.5; a..l at x = 1.0..9.0, y = 1.5; z..m at
  // x = 2.0..8.0, y = 2.5; plus the apostrophe key right of 'l'.
  static KeyboardLayout Qwerty();
  // JSON: {"name": "...", "keys": [{"label": "q", "x": 0, "y": 0, "w": 1, "h": 1}, ...]}.
  // Labels must be single code points and unique; sizes positive and finite.
  static Status FromJson(const std::string& json, KeyboardLayout* out);

  const std::vector<Key>& keys() const { return keys_; }
  const std::string& name() const { return name_; }
  // Index of the key labelled with code point `c` (letters case-folded), -1 if none.
  int FindKey(char32_t c) const;
  // Mean key width (the unit the spatial model's sigma is relative to).
  float key_width() const { return key_width_; }
  float key_height() const { return key_height_; }

 private:
  std::string name_;
  std::vector<Key> keys_;
  float key_width_ = 1, key_height_ = 1;
};

struct TouchPoint {
  float x = 0, y = 0;  // in the layout's unit
};

enum class SuggestionKind : int {
  kCompletion = 0,  // a word the typed characters start
  kCorrection = 1,  // a word the typed characters (or touches) were a mistyping of
  kNextWord = 2,    // nothing typed yet: the predicted next word
  kPhrase = 3,      // two or three predicted words
  kEmoji = 4,       // an emoji for the typed word (a keyword)
  kLiteral = 5,     // exactly what was typed (offered when nothing beats it)
};

struct Suggestion {
  std::string text;  // UTF-8, display case applied
  SuggestionKind kind = SuggestionKind::kCompletion;
  float score = 0;   // log-probability-like; higher is better; comparable within one answer
  // Set on at most one suggestion (the first): the word that space puts in
  // the text instead of the typed one. A list asked for while typing
  // (complete = false) flags the same word a `complete` request for the
  // same keys would, so a keyboard may show it before space is pressed. It
  // is set when a whole-word correction beats the literal typing by a
  // margin (the literal's own probability when the lexicon or the user
  // knows the word, else the unknown-word class's: docs/engine.md,
  // "Autocorrect"), never to a correction the user undid for that word.
  bool autocorrect = false;
};

struct SuggestRequest {
  // Committed text before the word being typed (UTF-8). Trailing spaces do
  // not matter; a line break starts a new independent context.
  std::string context;
  // The word being typed, as characters (UTF-8); empty for next-word prediction.
  std::string typed;
  // Optional: one touch per code point of `typed`, on the engine's layout,
  // in its unit. When given, the touches (not the characters) drive
  // correction. A touch more than 1.5 key sizes outside the layout's keys is
  // kInvalidArgument (pixels given to a layout in key units, say).
  std::vector<TouchPoint> touches;
  int max_suggestions = 3;  // 1..16
  // The word is finished (the user pressed space): suggest replacements for
  // the whole typed word (corrections), not longer words it starts. The list
  // then always offers the literal typing (kind kLiteral, as typed), unless
  // max_suggestions is 1 and the one slot holds the autocorrection, or the
  // typed word holds a control character, white space or ill-formed UTF-8.
  bool complete = false;
};

struct EngineOptions {
  // LM steps back from the cursor at most (older text is dropped).
  int max_context_tokens = 64;
  // Layout for touch input; nullptr: KeyboardLayout::Qwerty(). Copied.
  const KeyboardLayout* layout = nullptr;
  // Standard deviation of touches around key centres, in key widths.
  float touch_sigma = 0.3f;
  // Offer two- and three-word phrases (beam search over LM steps) after the
  // next-word suggestions when they are likely enough.
  bool phrases = true;
  // Offer emoji for keywords (metadata "emoji"): in a free slot, or in the
  // last one when the typed keyword is likelier than that suggestion.
  bool emoji = true;
  // Offer corrections of the typed characters (spatial/edit model).
  bool corrections = true;
  // Words the user already passed over for the same word (shown, then typed
  // past) make way for new candidates, except the likeliest completion of
  // what is typed: a word the user may still be typing toward is never
  // hidden.
  bool skip_passed_over = true;
  // Lexicon words seen fewer times than this in training are not suggested.
  int min_word_count = 2;
  // Ranking: suggestions ordered by probability x (1 + savings_weight x the
  // characters still to type), which favours long likely words over short
  // ones; 0 orders by probability alone.
  float savings_weight = 0.0f;
  // Interpolation weight of a cache model over the context window: words
  // already written are likelier to come again. Scaled by n / (n + 20) for a
  // window of n tokens; the last token is left out.
  float cache_weight = 0.05f;
  // Interpolation weight of the user dictionary (UserModel).
  float user_weight = 0.3f;
  // Interpolation weight of a recency model over the last 256 words the
  // user dictionary learned (across lines and text fields; the latest weigh
  // most). Scaled by R / (R + 20) for R such words.
  float recency_weight = 0.1f;
  // Keep the words of the model's "offensive" list (metadata, see
  // docs/engine.md) out of the suggestions unless the typed word is the
  // whole word; they are never autocorrected to.
  bool filter_offensive = true;
  // Model options passed to Model::Open. model.load chooses how Open gets
  // the file: LoadMode::kMap (the default: a shared, read-only mapping; the
  // file must not be truncated or rewritten in place while the engine
  // lives) or LoadMode::kRead (a private copy, immune to later changes of
  // the file); include/hunch/model.h tells the trade-off.
  ModelOptions model;
};

struct SessionOptions {
  // A private field (a password, an incognito tab): the session learns
  // nothing and writes nothing (Learn, LearnWord, UnlearnWord and
  // RejectAutocorrect return OK and do nothing); it still suggests from what
  // was learned before.
  bool private_mode = false;
};

class Session;
class UserModel;
namespace internal {
struct EngineAccess;
}

class HUNCH_EXPORT Engine : public std::enable_shared_from_this<Engine> {
 public:
  // Opens the .hunch file at `path` (options.model.load: mapped or read). A
  // FIFO, directory or device is kInvalidArgument at once (never waited on);
  // a file whose checksum, size or format does not hold is an error Status.
  static Status Open(const std::string& path, const EngineOptions& options,
                     std::shared_ptr<const Engine>* engine);
  // From `size` bytes of a .hunch file in memory (an app's asset), copied:
  // `data` need only be valid during the call.
  static Status OpenBuffer(const void* data, size_t size, const EngineOptions& options,
                           std::shared_ptr<const Engine>* engine);
  // From `length` bytes at `offset` of an open file descriptor (an Android
  // asset: AssetFileDescriptor's fd, start offset and length), read with
  // pread (the descriptor's position is unchanged; the caller keeps and
  // closes it). kInvalidArgument for a negative fd or offset, a zero length,
  // or a range the file does not hold.
  static Status OpenFd(int fd, int64_t offset, int64_t length, const EngineOptions& options,
                       std::shared_ptr<const Engine>* engine);
  // From an opened model (which the engine keeps alive).
  static Status FromModel(std::shared_ptr<const Model> model, const EngineOptions& options,
                          std::shared_ptr<const Engine>* engine);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A session with a user model of its own.
  Status NewSession(std::unique_ptr<Session>* session) const;
  // A session that shares `user` (made by UserModel::Create for this
  // engine) with every other session given it: what one text field
  // learns, the others suggest. Fails with kInvalidArgument when `user` is
  // null or belongs to another engine.
  Status NewSession(std::shared_ptr<UserModel> user, std::unique_ptr<Session>* session) const;
  Status NewSession(std::shared_ptr<UserModel> user, const SessionOptions& options,
                    std::unique_ptr<Session>* session) const;

  const Model& model() const;
  const EngineOptions& options() const;
  int vocab_size() const;      // the LM's vocabulary
  size_t lexicon_size() const;  // words that can be suggested
  // Bytes the engine holds in RAM besides the model file (mapped, or its
  // copy in LoadMode::kRead).
  size_t memory_bytes() const;

  struct Impl;

 private:
  friend struct internal::EngineAccess;
  Engine();
  std::unique_ptr<Impl> impl_;
};

// How a word came into the text, for the learning rules (docs/engine.md,
// "The user dictionary").
enum class CommitSource : int {
  kTyped = 0,          // typed key by key and committed with space or punctuation
  kPicked = 1,         // tapped in the suggestion bar
  kAutocorrected = 2,  // put in by autocorrect (the engine's own choice: not learned as a new word)
};

struct UserModelOptions {
  // Memory cap on the learned words, pairs and corrections, in bytes (as
  // memory_bytes() counts them). When learning goes past it, the least
  // useful entries (the lowest count, weighted by how long ago they were
  // last used) are evicted until 3/4 of the cap is used. At least 64 KiB.
  size_t max_bytes = size_t{8} << 20;
  // A word the lexicon lacks is suggested once it was typed this many times
  // (or picked once from the suggestions, or kept by undoing an
  // autocorrect). 1..255.
  int min_typed_count = 2;
};

// One word of the user dictionary, as UserModel::List gives it.
struct UserWord {
  std::string word;       // the spelling the user writes it in ("Zorblax")
  uint64_t count = 0;     // times committed
  bool blocked = false;   // never suggested (Block)
  bool suggested = false; // offered as a suggestion (the learning rules are met)
};

// The user dictionary: what the user taught. The words they committed (with
// the case they write them in), the pairs of consecutive words, when each was
// last used, the words they blocked and the autocorrections they undid;
// mixed into the suggestions with EngineOptions::user_weight. One UserModel
// is shared by every session of an engine that is given it (all the text
// fields of an app).
//
// Persistence: Open binds it to a file (docs/format.md, "User dictionary
// file"): every change is appended to the file as a checksummed record and
// made durable (fdatasync) before the call returns, so a crash or a kill
// loses nothing that returned OK; a torn tail (a crash during a write) is
// dropped at the next Open with a warning. The file is compacted (written
// anew through a temporary file and renamed) when it grows to several times
// the dictionary's size. A change whose write fails returns the error and
// is not applied.
//
// Validation: a word is learnable when it is 1 to 64 bytes of well-formed
// UTF-8 without white space, control characters or U+FFFD (after the
// tokenizer's normalization); others are refused (kInvalidArgument) or, in
// Learn's text, skipped.
//
// Thread safety: every method may be called from any thread at any time;
// sessions read it under a shared lock while they score, changes take it
// exclusively. Lifetime: a UserModel keeps its Engine alive; the file stays
// open (and locked against other processes) until the last reference goes.
class HUNCH_EXPORT UserModel {
 public:
  // An empty user dictionary in memory for sessions of `engine`.
  static Status Create(std::shared_ptr<const Engine> engine, std::shared_ptr<UserModel>* model);
  static Status Create(std::shared_ptr<const Engine> engine, const UserModelOptions& options,
                       std::shared_ptr<UserModel>* model);
  // The user dictionary kept in the file `path`, created empty when it does
  // not exist (its directory must). Fails with kInvalidArgument when the file
  // is not a user dictionary (the file is left as it is), kUnsupported when
  // it was written by a newer format version, kIOError when it cannot be
  // read or written or another process has it open (a lock). A torn or corrupt tail is dropped (the
  // records before it are kept) and reported by open_warning().
  static Status Open(std::shared_ptr<const Engine> engine, const std::string& path, const UserModelOptions& options,
                     std::shared_ptr<UserModel>* model);
  ~UserModel();
  UserModel(const UserModel&) = delete;
  UserModel& operator=(const UserModel&) = delete;

  // Learns from text the user committed (a message sent, a note saved): its
  // words, each as typed once, and the pairs of consecutive words, line by
  // line. Words that are not learnable are skipped.
  Status Learn(const std::string& text);
  // Learns one word committed after `context` (online learning while
  // typing): the word, and the pair (the last word of the context's last
  // line, word). `source` says how the word came (the learning rules).
  // A capital letter at the start of a sentence is not taken as the word's
  // spelling. kInvalidArgument when the word is not learnable.
  Status LearnWord(const std::string& context, const std::string& word, CommitSource source = CommitSource::kTyped);
  // Takes back one LearnWord(context, word): the user deleted the word or
  // corrected it right after committing it. No effect when nothing is left
  // to take back.
  Status UnlearnWord(const std::string& context, const std::string& word);
  // The user undid an autocorrection: they typed `typed`, autocorrect put in
  // `correction`, and they went back to `typed`. `typed` becomes a word the
  // user knows (suggested from now on) and is never autocorrected to
  // `correction` again. `context` is the text before the word.
  Status RejectAutocorrect(const std::string& context, const std::string& typed, const std::string& correction);
  // The touches that typed `word`, one per code point, in the layout's unit
  // (those of the SuggestRequest that typed it; `word` is the word that
  // ended in the text: as typed, or a correction as long). The dictionary
  // keeps the spread of the user's touches around the keys they meant, and
  // every session widens its touch model to it: Suggest scores touches with
  // touch_sigma() in place of EngineOptions::touch_sigma, so a user who
  // types loosely gets the corrections a loose typist needs. Touches of
  // characters without a key teach nothing. kInvalidArgument: a word that
  // is not learnable, touches not one per code point, a touch that is not
  // finite or far outside the layout (as Suggest).
  Status LearnTouches(const std::string& word, const std::vector<TouchPoint>& touches);
  // The touch spread sessions use for this user, in key widths: the
  // engine's touch_sigma for a new user; after about a hundred touches the
  // spread they showed (a MAP estimate of a round Gaussian, the latest 4,096
  // touches weighing most), never below touch_sigma.
  float touch_sigma() const;
  // Forgets a word: its counts, its pairs and its undone corrections (the
  // "remove suggestion" of a keyboard). The lexicon's words stay in the
  // lexicon; to keep one out of the suggestions, Block it.
  Status Forget(const std::string& word);
  // Blocks a word: never suggested (nor autocorrected to), the lexicon's
  // included, until Unblock. Blocking forgets what was learned of it.
  Status Block(const std::string& word);
  Status Unblock(const std::string& word);
  bool IsBlocked(const std::string& word) const;
  // Forgets everything: words, pairs, blocks, undone corrections, the
  // touch spread.
  Status Clear();
  // The dictionary as text (a stable, documented format: a header line
  // "hunch-user-dictionary 2", then tab-separated lines, see
  // docs/engine.md). Import merges such a text into the dictionary (counts
  // add up; blocks and undone corrections join) and also reads the format
  // of version 1 ("hunch-user-model 1"). On a malformed line Import changes
  // nothing and returns kInvalidArgument naming the line.
  std::string Export() const;
  Status Import(const std::string& text);
  // The user's words, most used first.
  std::vector<UserWord> List() const;
  // The number of words learned (with repetitions).
  uint64_t word_count() const;
  // Bytes the learned entries take (what UserModelOptions::max_bytes caps).
  size_t memory_bytes() const;
  // The file (empty for a dictionary in memory), and what Open dropped from
  // its tail (empty when nothing).
  const std::string& path() const;
  const std::string& open_warning() const;

  struct Impl;

 private:
  friend class Engine;
  friend class Session;
  UserModel();
  std::unique_ptr<Impl> impl_;
};

class HUNCH_EXPORT Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Suggestions for the request, best first, at most max_suggestions, no
  // duplicates (case-insensitive).
  Status Suggest(const SuggestRequest& request, std::vector<Suggestion>* out);
  // The natural-log probability of `token` (one token of the tokenizer)
  // following `context`, from the distribution Suggest ranks (the LM, the
  // lexicon's long tail, the context cache and the user model; see
  // docs/engine.md): what `hunch eval` uses for perplexity. `in_vocab`
  // tells whether the token is in the LM's vocabulary. A word neither the
  // lexicon nor the user model knows gets half a count's share of the
  // unknown-word class, P(<unk>) / (2 (N + 1)), N the total count of the
  // lexicon's words outside the vocabulary, mixed like any other word.
  Status ScoreNextToken(const std::string& context, const std::string& token, float* log_prob,
                        bool* in_vocab);
  // The session's user model (shared or its own) learns: the same as
  // user_model()->Learn(...), LearnWord(...), UnlearnWord(...),
  // RejectAutocorrect(...) and LearnTouches(...), except in a private
  // session, where they do nothing (a private session still checks the
  // touches, so a bad call is found in any field). RejectAutocorrect also stops this session from flagging the
  // correction again for `typed` at once.
  Status Learn(const std::string& text);
  Status LearnWord(const std::string& context, const std::string& word, CommitSource source = CommitSource::kTyped);
  Status UnlearnWord(const std::string& context, const std::string& word);
  Status RejectAutocorrect(const std::string& context, const std::string& typed, const std::string& correction);
  Status LearnTouches(const std::string& word, const std::vector<TouchPoint>& touches);
  // A private session learns nothing (SessionOptions::private_mode); the
  // keyboard sets it when the focused field changes.
  void SetPrivate(bool private_mode);
  bool is_private() const;
  const std::shared_ptr<UserModel>& user_model() const;
  // Forgets the cached context states and the passed-over memory (not what
  // was learned).
  void Reset();

  struct Impl;

 private:
  friend class Engine;
  Session();
  std::unique_ptr<Impl> impl_;
};

}  // namespace hunch

#endif  // HUNCH_ENGINE_H_
