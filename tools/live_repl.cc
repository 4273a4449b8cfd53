#include "tools/live_repl.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace hunch {
namespace cli {

// ---- SessionBackend ----------------------------------------------------------

Status SessionBackend::Suggest(const std::string& context, const std::string& typed, std::vector<Suggestion>* out) {
  SuggestRequest r;
  r.context = context;
  r.typed = typed;
  r.max_suggestions = n_;
  return session_->Suggest(r, out);
}

Status SessionBackend::LearnWord(const std::string& context, const std::string& word, CommitSource source) {
  return session_->LearnWord(context, word, source);
}

Status SessionBackend::UnlearnWord(const std::string& context, const std::string& word) {
  return session_->UnlearnWord(context, word);
}

Status SessionBackend::RejectAutocorrect(const std::string& context, const std::string& typed,
                                         const std::string& correction) {
  return session_->RejectAutocorrect(context, typed, correction);
}

// ---- LiveRepl ------------------------------------------------------------------

LiveRepl::LiveRepl(LiveBackend* backend) : backend_(backend) { Refresh(); }

bool LiveRepl::IsMark(const std::string& ch) {
  return ch.size() == 1 && ch[0] != '\0' && std::strchr(".,!?;:\"()[]{}", ch[0]) != nullptr;
}

size_t LiveRepl::WordStart() const {
  if (command_mode()) return line_.size();
  size_t i = line_.size();
  // Marks and spaces are ASCII: a byte of a multi-byte character never matches.
  while (i > 0 && line_[i - 1] != ' ' && !IsMark(std::string(1, line_[i - 1]))) --i;
  return i;
}

void LiveRepl::Check(const Status& st) {
  if (!st.ok()) error_ = st.ToString();
}

void LiveRepl::Refresh() {
  bar_.clear();
  if (command_mode()) return;
  const Status st = backend_->Suggest(context(), word(), &bar_);
  if (!st.ok()) {
    bar_.clear();
    Check(st);
  }
}

void LiveRepl::LearnCommitted(size_t start, const std::string& text, CommitSource source) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) {
      Commit c;
      c.start = start + pos;
      c.context = line_.substr(0, c.start);
      c.word = text.substr(pos, end - pos);
      const Status st = backend_->LearnWord(c.context, c.word, source);
      c.learned = st.ok();
      // A word that is not learnable (an emoji, a symbol) is simply not learned.
      if (!st.ok() && st.code() != StatusCode::kInvalidArgument) Check(st);
      commits_.push_back(std::move(c));
    }
    pos = end + 1;
  }
}

void LiveRepl::CommitWord(const std::string& separator, bool autocorrect) {
  const size_t start = WordStart();
  const std::string typed = line_.substr(start), context = line_.substr(0, start);
  if (!typed.empty()) {
    std::string word = typed;
    CommitSource source = CommitSource::kTyped;
    // bar_ is the answer for (context, typed): Refresh runs after every key.
    if (autocorrect && !bar_.empty() && bar_[0].autocorrect && bar_[0].text != typed &&
        !(typed == rejected_typed_ && bar_[0].text == rejected_correction_)) {
      word = bar_[0].text;
      source = CommitSource::kAutocorrected;
    }
    line_ = context + word;
    if (typed == rejected_typed_ && source == CommitSource::kTyped) {
      // The word an undone autocorrection gave back: RejectAutocorrect already taught it.
      Commit c;
      c.start = start;
      c.context = context;
      c.word = word;
      commits_.push_back(std::move(c));
    } else {
      LearnCommitted(start, word, source);
    }
    if (source == CommitSource::kAutocorrected) {
      last_.active = true;
      last_.context = context;
      last_.typed = typed;
      last_.correction = word;
      last_.line_after = line_ + separator;
    }
  }
  line_ += separator;
  rejected_typed_.clear();
  rejected_correction_.clear();
}

void LiveRepl::Type(const std::string& ch) {
  error_.clear();
  last_.active = false;
  if (command_mode() || (line_.empty() && ch == ":")) {
    line_ += ch;
  } else if (IsMark(ch)) {
    CommitWord(ch, true);
  } else {
    line_ += ch;
  }
  Refresh();
}

void LiveRepl::Space() {
  error_.clear();
  last_.active = false;
  if (command_mode())
    line_ += ' ';
  else
    CommitWord(" ", true);
  Refresh();
}

bool LiveRepl::Accept(int n) {
  if (command_mode() || n < 1 || static_cast<size_t>(n) > bar_.size()) return false;
  error_.clear();
  last_.active = false;
  const std::string text = bar_[static_cast<size_t>(n) - 1].text;
  size_t start = WordStart();
  // A next word right after a mark ("end." + "The") gets its space.
  if (start == line_.size() && !line_.empty() && line_.back() != ' ') {
    line_ += ' ';
    start = line_.size();
  }
  const std::string context = line_.substr(0, start);
  line_ = context + text;
  LearnCommitted(start, text, CommitSource::kPicked);
  line_ += ' ';
  rejected_typed_.clear();
  rejected_correction_.clear();
  Refresh();
  return true;
}

void LiveRepl::Backspace() {
  error_.clear();
  if (last_.active && line_ == last_.line_after) {
    // Undo the autocorrection: the typed word is back under the cursor.
    last_.active = false;
    line_ = last_.context + last_.typed;
    if (!commits_.empty() && commits_.back().start == last_.context.size() &&
        commits_.back().word == last_.correction) {
      if (commits_.back().learned) Check(backend_->UnlearnWord(last_.context, last_.correction));
      commits_.pop_back();
    }
    Check(backend_->RejectAutocorrect(last_.context, last_.typed, last_.correction));
    rejected_typed_ = last_.typed;
    rejected_correction_ = last_.correction;
    Refresh();
    return;
  }
  last_.active = false;
  if (!line_.empty()) {
    size_t i = line_.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(line_[i]) & 0xC0) == 0x80) --i;
    line_.resize(i);
    // Records of words cut into are stale (their separator went first, which took them back).
    while (!commits_.empty() && commits_.back().start + commits_.back().word.size() > line_.size())
      commits_.pop_back();
    // Deleting the separator after a word just committed takes it back.
    if (!commits_.empty()) {
      const Commit& c = commits_.back();
      if (c.start + c.word.size() == line_.size() && WordStart() == c.start) {
        if (c.learned) Check(backend_->UnlearnWord(c.context, c.word));
        commits_.pop_back();
      }
    }
  }
  Refresh();
}

LiveRepl::Event LiveRepl::Enter() {
  error_.clear();
  last_.active = false;
  const bool command = command_mode();
  if (!command) CommitWord("", false);
  done_ = line_;
  line_.clear();
  commits_.clear();
  rejected_typed_.clear();
  rejected_correction_.clear();
  Refresh();
  return command ? Event::kCommand : Event::kLine;
}

LiveRepl::Event LiveRepl::Feed(unsigned char byte) {
  if (esc_ == EscState::kEsc) {
    if (byte == '[' || byte == 'O') {
      esc_ = EscState::kSequence;
      return Event::kNone;
    }
    esc_ = EscState::kNone;  // Alt+key: the key alone
  } else if (esc_ == EscState::kSequence) {
    if (byte >= 0x40 && byte <= 0x7E) esc_ = EscState::kNone;
    return Event::kNone;
  }
  if (utf8_left_ > 0) {
    if ((byte & 0xC0) == 0x80) {
      utf8_ += static_cast<char>(byte);
      if (--utf8_left_ == 0) Type(utf8_);
      return Event::kNone;
    }
    utf8_left_ = 0;  // a broken character is dropped; this byte starts afresh
  }
  const bool after_cr = after_cr_;
  after_cr_ = false;
  if (byte >= 0x80) {
    utf8_.assign(1, static_cast<char>(byte));
    if (byte >= 0xC2 && byte <= 0xDF)
      utf8_left_ = 1;
    else if (byte >= 0xE0 && byte <= 0xEF)
      utf8_left_ = 2;
    else if (byte >= 0xF0 && byte <= 0xF4)
      utf8_left_ = 3;
    return Event::kNone;  // a stray continuation or invalid lead byte is ignored
  }
  switch (byte) {
    case 0x03:  // Ctrl-C
    case 0x04:  // Ctrl-D
      return Event::kQuit;
    case 0x1B:
      esc_ = EscState::kEsc;
      return Event::kNone;
    case '\r':
      after_cr_ = true;
      return Enter();
    case '\n':
      return after_cr ? Event::kNone : Enter();
    case '\t':
      Accept(1);
      return Event::kNone;
    case 0x7F:
    case 0x08:
      Backspace();
      return Event::kNone;
    case ' ':
      Space();
      return Event::kNone;
    default:
      break;
  }
  if (byte < 0x20) return Event::kNone;
  if (byte >= '1' && byte <= '9' && Accept(byte - '0')) return Event::kNone;
  Type(std::string(1, static_cast<char>(byte)));
  return Event::kNone;
}

LiveRepl::Event LiveRepl::FeedAll(const std::string& keys) {
  Event last = Event::kNone;
  for (char c : keys) {
    const Event e = Feed(static_cast<unsigned char>(c));
    if (e != Event::kNone) last = e;
    if (e == Event::kQuit) break;
  }
  return last;
}

std::string LiveRepl::undo_hint() const { return last_.active && line_ == last_.line_after ? last_.typed : ""; }

std::string LiveRepl::BarText() const {
  std::string s;
  for (size_t i = 0; i < bar_.size(); ++i) {
    if (i) s += ' ';
    s += "[" + std::to_string(i + 1) + " " + bar_[i].text + (bar_[i].autocorrect ? "*" : "") + "]";
  }
  return s;
}

// ---- commands ------------------------------------------------------------------

ReplCommandResult RunReplCommand(Session* session, const std::string& line, std::string* message) {
  std::string cmd = line;
  while (!cmd.empty() && (cmd.back() == ' ' || cmd.back() == '\r')) cmd.pop_back();
  if (cmd == ":quit" || cmd == ":q") return ReplCommandResult::kQuit;
  if (cmd == ":reset") {
    session->Reset();
    message->clear();
    return ReplCommandResult::kDone;
  }
  if (cmd.compare(0, 7, ":learn ") == 0) {
    const Status st = session->Learn(cmd.substr(7));
    *message = st.ok() ? "" : "hunch repl: " + st.ToString();
    return st.ok() ? ReplCommandResult::kDone : ReplCommandResult::kFailed;
  }
  if (cmd == ":private" || cmd.compare(0, 9, ":private ") == 0) {
    const std::string arg = cmd.size() > 9 ? cmd.substr(9) : "";
    if (arg == "on" || arg == "off") session->SetPrivate(arg == "on");
    else if (!arg.empty()) {
      *message = "usage: :private on|off";
      return ReplCommandResult::kFailed;
    }
    *message = session->is_private() ? "private mode on: nothing is learned" : "private mode off: learning";
    return ReplCommandResult::kDone;
  }
  if (cmd == ":help") {
    *message =
        "commands: :learn TEXT (learn from TEXT), :private on|off (learn nothing / learn), :reset (forget the "
        "context), :quit";
    return ReplCommandResult::kDone;
  }
  return ReplCommandResult::kNotCommand;
}

// ---- the terminal layer --------------------------------------------------------

namespace {

// The terminal's settings before raw mode, restored by RawMode or a signal.
struct termios g_saved_termios;
volatile sig_atomic_t g_raw_fd = -1;
const int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
constexpr size_t kNumRestoreSignals = sizeof(kRestoreSignals) / sizeof(kRestoreSignals[0]);

void RestoreTerminal() {
  const int fd = g_raw_fd;
  if (fd >= 0) {
    g_raw_fd = -1;
    tcsetattr(fd, TCSANOW, &g_saved_termios);
  }
}

void OnSignal(int sig) {
  RestoreTerminal();
  static const char kNewline[] = "\r\n";
  ssize_t ignored = write(STDOUT_FILENO, kNewline, 2);
  (void)ignored;
  signal(sig, SIG_DFL);
  raise(sig);
}

// Raw mode on a terminal for the object's lifetime (and SIGINT, SIGTERM,
// SIGHUP, SIGQUIT and SIGPIPE restore it before they end the process).
class RawMode {
 public:
  bool Enter(int fd, std::string* error) {
    if (tcgetattr(fd, &g_saved_termios) != 0) {
      *error = std::string("cannot read the terminal settings: ") + std::strerror(errno);
      return false;
    }
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kNumRestoreSignals; ++i) sigaction(kRestoreSignals[i], &sa, &old_[i]);
    installed_ = true;
    struct termios raw = g_saved_termios;
    raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    g_raw_fd = fd;
    if (tcsetattr(fd, TCSAFLUSH, &raw) != 0) {
      *error = std::string("cannot set the terminal to raw mode: ") + std::strerror(errno);
      g_raw_fd = -1;
      return false;
    }
    return true;
  }
  ~RawMode() {
    RestoreTerminal();
    if (installed_)
      for (size_t i = 0; i < kNumRestoreSignals; ++i) sigaction(kRestoreSignals[i], &old_[i], nullptr);
  }

 private:
  struct sigaction old_[kNumRestoreSignals];
  bool installed_ = false;
};

bool WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

int Columns(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const int v = std::atoi(c);
    if (v >= 20) return v;
  }
  return 80;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The last `n` code points of `s`.
std::string TailCodePoints(const std::string& s, size_t n) {
  size_t i = s.size(), seen = 0;
  while (i > 0 && seen < n) {
    --i;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++seen;
  }
  return s.substr(i);
}

// The first `n` code points of `s`.
std::string HeadCodePoints(const std::string& s, size_t n) {
  size_t i = 0, seen = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
    ++i;
  }
  return s.substr(0, i);
}

const char kPrompt[] = "> ";

// Redraws the two rows (the cursor is on the first): the end of the line
// being typed, and under it the suggestion bar and the status; the cursor
// ends after the line.
std::string Render(const LiveRepl& repl, const Session& session, int width) {
  const size_t avail = static_cast<size_t>(width) - sizeof(kPrompt);  // one column spare
  std::string shown = repl.line();
  size_t cols = CodePoints(shown);
  if (cols > avail) {
    shown = "\xE2\x80\xA6" + TailCodePoints(shown, avail - 1);  // "…"
    cols = avail;
  }
  std::string status = repl.command_mode() ? "command (Enter runs it; :help lists them)" : repl.BarText();
  if (session.is_private()) status += "  (private)";
  const std::string hint = repl.undo_hint();
  if (!hint.empty()) status += "  (Backspace: back to '" + hint + "')";
  if (!repl.error().empty()) status += "  " + repl.error();
  status = HeadCodePoints(status, static_cast<size_t>(width) - 1);
  std::string s = "\r\033[K";
  s += kPrompt + shown;
  s += "\r\n\033[K" + status;
  s += "\033[1A\r\033[" + std::to_string(sizeof(kPrompt) - 1 + cols) + "C";
  return s;
}

int LiveLoop(Session* session, int max_suggestions, int in_fd, int out_fd, const std::string& banner) {
  SessionBackend backend(session, max_suggestions);
  LiveRepl repl(&backend);
  if (!WriteAll(out_fd, banner + "\r\n" + Render(repl, *session, Columns(out_fd)))) return 1;
  unsigned char buf[256];
  while (true) {
    const ssize_t n = read(in_fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      WriteAll(out_fd, "\r\n\033[K");
      std::fprintf(stderr, "hunch repl: cannot read the input: %s\n", std::strerror(errno));
      return 1;
    }
    bool quit = n == 0;
    for (ssize_t i = 0; i < n && !quit; ++i) {
      const LiveRepl::Event e = repl.Feed(buf[i]);
      std::string out;
      if (e == LiveRepl::Event::kQuit) {
        quit = true;
        break;
      }
      if (e == LiveRepl::Event::kLine || e == LiveRepl::Event::kCommand) {
        // The finished line stays (whole, wrapped by the terminal); the bar's row is the next line's.
        out = "\r\033[K" + std::string(kPrompt) + repl.done() + "\r\n\033[K";
        if (e == LiveRepl::Event::kCommand) {
          std::string message;
          const ReplCommandResult r = RunReplCommand(session, repl.done(), &message);
          if (r == ReplCommandResult::kQuit) {
            WriteAll(out_fd, out);
            return 0;
          }
          if (r == ReplCommandResult::kNotCommand) message = "unknown command '" + repl.done() + "' (:help lists them)";
          if (!message.empty()) out += message + "\r\n\033[K";
        }
      }
      if (repl.pending()) continue;
      out += Render(repl, *session, Columns(out_fd));
      if (!WriteAll(out_fd, out)) return 1;
    }
    if (quit) return WriteAll(out_fd, "\r\n\033[K") ? 0 : 1;
  }
}

}  // namespace

int RunLiveRepl(Session* session, int max_suggestions, int in_fd, int out_fd, bool terminal,
                const std::string& banner) {
  std::string error;
  try {
    RawMode raw;  // restored when the loop returns or throws
    if (terminal && !raw.Enter(in_fd, &error)) {
      std::fprintf(stderr, "hunch repl: %s\n", error.c_str());
      return 1;
    }
    return LiveLoop(session, max_suggestions, in_fd, out_fd, banner);
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::fprintf(stderr, "hunch repl: %s\n", error.c_str());
  return 1;
}

}  // namespace cli
}  // namespace hunch
