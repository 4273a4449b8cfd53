// hunch suggest [--model M] [--user FILE] [--typed WORD] [--touches "x,y x,y ..."] [-n 3]
//               [--complete] [--json] [CONTEXT...]
// hunch repl [--model M] [--user FILE] [-n 3] [--live]
// Suggestions from the command line, and an interactive loop that shows them
// as you type: live (tools/live_repl.h) on a terminal or with --live, a line
// at a time otherwise. Without --model the default model is used
// (HUNCH_MODEL, then the installed or source-tree models/en.hunch); with
// --user the session learns into (and suggests from) that user dictionary.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "hunch/engine.h"
#include "tools/cli.h"
#include "tools/json_writer.h"
#include "tools/live_repl.h"

#ifndef HUNCH_DEFAULT_MODEL_INSTALLED
#define HUNCH_DEFAULT_MODEL_INSTALLED ""
#endif
#ifndef HUNCH_DEFAULT_MODEL_SOURCE
#define HUNCH_DEFAULT_MODEL_SOURCE ""
#endif

namespace hunch {
namespace cli {

std::string DefaultModelPath() {
  if (const char* env = std::getenv("HUNCH_MODEL")) return env;
  for (const char* p : {HUNCH_DEFAULT_MODEL_SOURCE, HUNCH_DEFAULT_MODEL_INSTALLED})
    if (*p && access(p, R_OK) == 0) return p;
  return "models/en.hunch";
}

namespace {

const char* kSuggestUsage =
    "hunch suggest [--model M] [--user FILE] [--typed WORD] [--touches \"x,y x,y ...\"] [--n 3] [--complete]\n"
    "              [--set ...] [--json] [CONTEXT...]\n"
    "  CONTEXT: the text before the word being typed; WORD: the characters typed so far;\n"
    "  --user FILE: suggest from the user dictionary FILE too (hunch learn / hunch user; created when missing);\n"
    "  --touches: one x,y per typed character on the QWERTY layout (keys 1 x 1, q at 0..1);\n"
    "  --complete: WORD is finished (suggest corrections, not completions)\n"
    "  --set NAME=VALUE,...: engine options: phrases, emoji, corrections, skip_passed_over (0/1);\n"
    "    touch_sigma, savings_weight, user_weight (numbers); max_context_tokens, min_word_count";
const char* kReplUsage =
    "hunch repl [--model M] [--user FILE] [--n 3] [--set NAME=VALUE,...] [--live]\n"
    "  On a terminal (or with --live) the repl is live: the line being typed on top, the suggestions\n"
    "  under it, after every key. Space commits the word (autocorrected when the first suggestion\n"
    "  has a *); Tab or 1..9 takes suggestion 1 or N; Backspace right after an autocorrection goes\n"
    "  back to what was typed (and it is not corrected again); Enter ends the line (the next line\n"
    "  is a new context); Ctrl-D or Ctrl-C quits. Committed words are learned.\n"
    "  Otherwise (a pipe) it reads lines: the last word (no trailing space) is the word being typed.\n"
    "  --user FILE: learn into (and suggest from) the user dictionary FILE (created when missing)\n"
    "  Commands (a line that starts with ':'): ':learn TEXT' learns from TEXT, ':private on|off'\n"
    "  stops and resumes learning, ':reset' forgets the context, ':help', ':quit' (or Ctrl-D) ends.";

const char* KindName(SuggestionKind k) {
  switch (k) {
    case SuggestionKind::kCompletion: return "completion";
    case SuggestionKind::kCorrection: return "correction";
    case SuggestionKind::kNextWord: return "next-word";
    case SuggestionKind::kPhrase: return "phrase";
    case SuggestionKind::kEmoji: return "emoji";
    case SuggestionKind::kLiteral: return "literal";
  }
  return "?";
}

bool ParseTouches(const std::string& s, std::vector<TouchPoint>* out) {
  out->clear();
  size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos >= s.size()) break;
    char* end = nullptr;
    float x = std::strtof(s.c_str() + pos, &end);
    if (end == s.c_str() + pos || *end != ',') return false;
    const char* ystart = end + 1;
    float y = std::strtof(ystart, &end);
    if (end == ystart || (*end != ' ' && *end != '\0')) return false;
    out->push_back(TouchPoint{x, y});
    pos = static_cast<size_t>(end - s.c_str());
  }
  return true;
}

// The engine of --model (or the default model) with the --set options, and a
// session on it: with --user, on that user dictionary.
Status OpenSession(const char* cmd, const Args& args, std::shared_ptr<const Engine>* engine,
                   std::unique_ptr<Session>* session, std::string* path) {
  Status st = OpenEngine(args, engine, path);
  if (!st.ok()) return st;
  if (!args.Has("user")) return (*engine)->NewSession(session);
  std::shared_ptr<UserModel> user;
  st = OpenUserDictionary(cmd, *engine, args.Get("user"), &user);
  return st.ok() ? (*engine)->NewSession(user, session) : st;
}

}  // namespace

int SuggestMain(int argc, char** argv) {
  const char* cmd = "suggest";
  Args args(argc, argv, {"complete", "json", "help"});
  if (!args.ok()) return Usage(cmd, kSuggestUsage, args.error());
  if (args.Has("help")) return Help(kSuggestUsage);
  if (!args.CheckKnown({"model", "user", "typed", "touches", "n", "complete", "set", "json", "help"}))
    return Usage(cmd, kSuggestUsage, args.error());
  long long n;
  if (!args.GetInt("n", 3, 1, 16, &n)) return Usage(cmd, kSuggestUsage, args.error());
  SuggestRequest r;
  for (const std::string& p : args.positional()) r.context += (r.context.empty() ? "" : " ") + p;
  r.typed = args.Get("typed");
  r.complete = args.Has("complete");
  r.max_suggestions = static_cast<int>(n);
  if (args.Has("touches") && !ParseTouches(args.Get("touches"), &r.touches))
    return Usage(cmd, kSuggestUsage, "--touches must be 'x,y' pairs separated by spaces");
  std::shared_ptr<const Engine> engine;
  std::unique_ptr<Session> session;
  std::string path;
  Status st = OpenSession(cmd, args, &engine, &session, &path);
  if (!st.ok()) return Fail(cmd, st);
  std::vector<Suggestion> out;
  auto t0 = std::chrono::steady_clock::now();
  st = session->Suggest(r, &out);
  const double us = MicrosBetween(t0, std::chrono::steady_clock::now());
  if (!st.ok()) return Fail(cmd, st);
  if (args.Has("json")) {
    JsonWriter j;
    j.BeginObject().Key("suggestions").BeginArray();
    for (const Suggestion& s : out) {
      j.BeginObject();
      j.Key("text").Value(s.text).Key("kind").Value(KindName(s.kind)).Key("score").Value(static_cast<double>(s.score));
      j.Key("autocorrect").Value(s.autocorrect);
      j.EndObject();
    }
    j.EndArray().Key("latency_us").Value(us).EndObject();
    std::printf("%s\n", j.str().c_str());
  } else {
    for (const Suggestion& s : out)
      std::printf("%-24s %-10s %8.3f%s\n", s.text.c_str(), KindName(s.kind), s.score,
                  s.autocorrect ? "  autocorrect" : "");
  }
  return 0;
}

int ReplMain(int argc, char** argv) {
  const char* cmd = "repl";
  Args args(argc, argv, {"live", "help"});
  if (!args.ok()) return Usage(cmd, kReplUsage, args.error());
  if (args.Has("help")) return Help(kReplUsage);
  if (!args.CheckKnown({"model", "user", "n", "set", "live", "help"})) return Usage(cmd, kReplUsage, args.error());
  if (!args.positional().empty()) return Usage(cmd, kReplUsage, "unexpected argument '" + args.positional()[0] + "'");
  long long n;
  if (!args.GetInt("n", 3, 1, 16, &n)) return Usage(cmd, kReplUsage, args.error());
  std::shared_ptr<const Engine> engine;
  std::unique_ptr<Session> session;
  std::string path;
  Status st = OpenSession(cmd, args, &engine, &session, &path);
  if (!st.ok()) return Fail(cmd, st);
  const bool tty = isatty(0) != 0;
  const std::string user = args.Has("user") ? ", user dictionary " + args.Get("user") : "";
  if (tty || args.Has("live")) {
    std::fflush(stdout);
    const std::string banner = "hunch repl: " + path + " (" + std::to_string(engine->vocab_size()) +
                               "-word vocabulary, " + std::to_string(engine->lexicon_size()) + "-word lexicon)" +
                               user + ".\r\nSpace commits, Tab or 1-9 picks, Backspace after a correction undoes " +
                               "it, Enter ends the line, Ctrl-D quits; :help lists the commands.";
    return RunLiveRepl(session.get(), static_cast<int>(n), 0, 1, tty, banner);
  }
  std::string line, message;
  std::vector<Suggestion> out;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == ':') {
      const ReplCommandResult r = RunReplCommand(session.get(), line, &message);
      if (r == ReplCommandResult::kQuit) break;
      if (r == ReplCommandResult::kFailed) std::fprintf(stderr, "%s\n", message.c_str());
      if (r == ReplCommandResult::kDone && !message.empty()) std::printf("%s\n", message.c_str());
      if (r != ReplCommandResult::kNotCommand) {
        std::fflush(stdout);
        continue;
      }
    }
    SuggestRequest r;
    size_t sp = line.find_last_of(" \t");
    r.context = sp == std::string::npos ? "" : line.substr(0, sp);
    r.typed = sp == std::string::npos ? line : line.substr(sp + 1);
    r.max_suggestions = static_cast<int>(n);
    auto t0 = std::chrono::steady_clock::now();
    st = session->Suggest(r, &out);
    const double us = MicrosBetween(t0, std::chrono::steady_clock::now());
    if (!st.ok()) {
      std::fprintf(stderr, "hunch repl: %s\n", st.ToString().c_str());
      continue;
    }
    std::string shown;
    for (const Suggestion& s : out) shown += "[" + s.text + (s.autocorrect ? "*" : "") + "] ";
    std::printf("%s (%.0f us)\n", shown.c_str(), us);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace cli
}  // namespace hunch
