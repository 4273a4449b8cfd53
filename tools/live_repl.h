// The live `hunch repl`: a keyboard in the terminal. LiveRepl is the key
// handling alone (a small state machine over the line being typed, the word
// under the cursor and the last autocorrection), fed one byte at a time and
// talking to the engine through LiveBackend, so tests drive it without a
// terminal; RunLiveRepl is the thin terminal layer around it (raw mode, the
// line on top and the suggestion bar underneath, redrawn after every key).
//
// Keys (LiveRepl::Feed):
//   letters, digits, ' - and other symbols   type (a character of the word)
//   . , ! ? ; : " ( ) [ ] { }                commit the word like space, then type the mark
//   space        commits the word: the first suggestion replaces it when it is
//                flagged autocorrect (CommitSource::kAutocorrected), else it is
//                learned as typed (kTyped)
//   Tab, 1..9    accept suggestion 1 (Tab) or N (kPicked), then a space; a digit
//                with no N-th suggestion types the digit
//   Backspace    right after an autocorrection: back to the typed word, under
//                the cursor again (the correction is unlearned and
//                Session::RejectAutocorrect called, which teaches the typed
//                word: committing it next is not learned a second time);
//                otherwise deletes a character, and deleting back into a word
//                just committed unlearns it (Session::UnlearnWord)
//   Enter        ends the line (the word is committed as typed, never
//                autocorrected); the next line is a new context. A line that
//                starts with ':' is a command (no suggestions, nothing learned)
//   Ctrl-D, Ctrl-C, end of input   quit
// Escape sequences (arrow keys, ...) and other control characters are ignored.
#ifndef HUNCH_TOOLS_LIVE_REPL_H_
#define HUNCH_TOOLS_LIVE_REPL_H_

#include <string>
#include <vector>

#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace cli {

// What the live repl asks of the engine: a Session (SessionBackend), or a
// fake in tests.
class LiveBackend {
 public:
  virtual ~LiveBackend() = default;
  // Suggestions for the word `typed` (may be empty) after `context`.
  virtual Status Suggest(const std::string& context, const std::string& typed, std::vector<Suggestion>* out) = 0;
  virtual Status LearnWord(const std::string& context, const std::string& word, CommitSource source) = 0;
  virtual Status UnlearnWord(const std::string& context, const std::string& word) = 0;
  virtual Status RejectAutocorrect(const std::string& context, const std::string& typed,
                                   const std::string& correction) = 0;
};

// The backend of a Session: `max_suggestions` per request (1..16).
class SessionBackend : public LiveBackend {
 public:
  SessionBackend(Session* session, int max_suggestions) : session_(session), n_(max_suggestions) {}
  Status Suggest(const std::string& context, const std::string& typed, std::vector<Suggestion>* out) override;
  Status LearnWord(const std::string& context, const std::string& word, CommitSource source) override;
  Status UnlearnWord(const std::string& context, const std::string& word) override;
  Status RejectAutocorrect(const std::string& context, const std::string& typed,
                           const std::string& correction) override;

 private:
  Session* session_;
  int n_;
};

class LiveRepl {
 public:
  enum class Event {
    kNone,     // keep going
    kLine,     // Enter ended a line: done() holds it
    kCommand,  // Enter ended a command line (":..."): done() holds it
    kQuit,     // Ctrl-D or Ctrl-C
  };

  // `backend` must outlive the LiveRepl. Asks it for the first suggestions.
  explicit LiveRepl(LiveBackend* backend);

  // Feeds one byte of input (UTF-8 text, control keys, escape sequences).
  Event Feed(unsigned char byte);
  // Feeds every byte of `keys`; returns the last event that was not kNone
  // (kQuit stops there).
  Event FeedAll(const std::string& keys);
  // True in the middle of a UTF-8 character or an escape sequence (the
  // terminal layer redraws only when it is false).
  bool pending() const { return utf8_left_ > 0 || esc_ != EscState::kNone; }

  // The keys, as Feed translates them.
  void Type(const std::string& ch);  // one character (UTF-8)
  void Space();
  bool Accept(int n);  // suggestion n (1-based); false (nothing done) when the bar has fewer
  void Backspace();
  Event Enter();

  // The line being typed: the committed text, then the word under the cursor.
  const std::string& line() const { return line_; }
  std::string word() const { return line_.substr(WordStart()); }
  std::string context() const { return line_.substr(0, WordStart()); }
  // The suggestions for context() and word() (empty on a command line).
  const std::vector<Suggestion>& bar() const { return bar_; }
  bool command_mode() const { return !line_.empty() && line_[0] == ':'; }
  // The line or command the last kLine / kCommand event ended.
  const std::string& done() const { return done_; }
  // The last backend failure (other than a word that is not learnable), cleared by the next key.
  const std::string& error() const { return error_; }
  // The typed word Backspace would go back to now ("" when the last key was
  // not a space or mark that autocorrected).
  std::string undo_hint() const;
  // The bar as shown: "[1 the*] [2 then] [3 they]" (* = autocorrect).
  std::string BarText() const;

  // Whether `ch` (one character) commits the word and is then typed.
  static bool IsMark(const std::string& ch);

 private:
  // A word committed on this line (what Backspace may take back).
  struct Commit {
    size_t start = 0;  // its offset in line_
    std::string context, word;
    bool learned = false;  // LearnWord returned OK
  };
  struct Autocorrection {
    bool active = false;
    std::string context, typed, correction, line_after;
  };
  enum class EscState { kNone, kEsc, kSequence };

  size_t WordStart() const;
  void Refresh();
  // Commits the word under the cursor (autocorrected when `autocorrect` and
  // the bar's first suggestion is flagged), then appends `separator`.
  void CommitWord(const std::string& separator, bool autocorrect);
  // Learns the words of `text` (a word, or a phrase: space-separated), which
  // line_ holds at `start` (its end), and records them as commits.
  void LearnCommitted(size_t start, const std::string& text, CommitSource source);
  void Check(const Status& st);

  LiveBackend* backend_;
  std::string line_, done_, error_;
  std::vector<Suggestion> bar_;
  std::vector<Commit> commits_;
  Autocorrection last_;
  std::string rejected_typed_, rejected_correction_;  // the undone autocorrection, not applied again
  std::string utf8_;  // the UTF-8 character being read
  int utf8_left_ = 0;
  EscState esc_ = EscState::kNone;
  bool after_cr_ = false;  // the last byte was '\r' (a '\n' after it is the same Enter)
};

enum class ReplCommandResult {
  kNotCommand,  // the line is none of the commands (`message` unchanged)
  kDone,        // done; `message` says what (may be empty)
  kFailed,      // `message` is the error
  kQuit,
};
// Runs a repl command line: ":quit" / ":q", ":reset", ":learn TEXT",
// ":private [on|off]" (Session::SetPrivate), ":help".
ReplCommandResult RunReplCommand(Session* session, const std::string& line, std::string* message);

// The live repl on `in_fd` / `out_fd` until Ctrl-D, Ctrl-C, end of input or
// :quit. `terminal`: `in_fd` is a terminal, put in raw mode for the duration
// and restored on every way out (return, an exception, SIGINT, SIGTERM,
// SIGHUP, SIGQUIT, SIGPIPE). Returns the exit code (0; 1 when the input or
// output fails).
int RunLiveRepl(Session* session, int max_suggestions, int in_fd, int out_fd, bool terminal,
                const std::string& banner);

}  // namespace cli
}  // namespace hunch

#endif  // HUNCH_TOOLS_LIVE_REPL_H_
