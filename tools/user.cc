// hunch learn --user FILE [--model M] (TEXT... | - | --file PATH)
// hunch user FILE list|forget WORD|block WORD|unblock WORD|clear|export|import PATH [--model M] [--json]
//   [--out PATH]
// The user dictionary (hunch::UserModel, docs/engine.md "The user
// dictionary") from the command line: teach it text, list what it holds,
// forget, block and unblock words, clear it, and move it between files in
// its text format (UserModel::Export / Import). A dictionary belongs to the
// engine of a model (its lexicon decides which words are new), hence --model
// (the default model without it). Every change is durable when the command
// returns (UserModel::Open's file).
//
// Exit codes: 0 done, 1 an error (the message on stderr; the file is left as
// it was), 2 a usage error.
#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "builder/model_builder.h"  // WriteFileAtomic
#include "hunch/engine.h"
#include "tools/cli.h"
#include "tools/json_writer.h"

namespace hunch {
namespace cli {

namespace {

const char* kLearnUsage =
    "hunch learn --user FILE [--model M] (TEXT... | - | --file PATH)\n"
    "  Teaches the user dictionary FILE (created when missing) the words of TEXT, of stdin (-) or of\n"
    "  the file PATH, as if they were typed: each word once, and the pairs of consecutive words, line\n"
    "  by line. A word the model's lexicon lacks is suggested once it was learned twice.\n"
    "  Prints how many words the dictionary holds afterwards.\n"
    "  --model M: the model the dictionary is for (default: the default model)";

const char* kUserUsage =
    "hunch user FILE COMMAND [--model M]\n"
    "  The user dictionary FILE (what hunch learn, hunch repl --user and keyboards using the engine\n"
    "  learned). COMMAND is one of:\n"
    "    list [--json]       its words, most used first: word, uses, blocked / suggested; then\n"
    "                        the totals and the touch spread the engine uses for this user\n"
    "    forget WORD         forget what was learned of WORD (its uses, pairs, undone corrections)\n"
    "    block WORD          never suggest WORD (nor autocorrect to it), the model's own words too\n"
    "    unblock WORD        suggest WORD again\n"
    "    clear               forget everything (words, pairs, blocks, undone corrections)\n"
    "    export [--out PATH] the dictionary as text (hunch-user-dictionary 2) on stdout or in PATH\n"
    "    import PATH         merge a text export (PATH or - for stdin) into the dictionary\n"
    "  list and export need an existing FILE; the others create it when missing.\n"
    "  --model M: the model the dictionary is for (default: the default model)";

// Uses of each word of `words` by spelling.
std::map<std::string, const UserWord*> ByWord(const std::vector<UserWord>& words) {
  std::map<std::string, const UserWord*> m;
  for (const UserWord& w : words) m[w.word] = &w;
  return m;
}

std::string Plural(unsigned long long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// What a change took away: the words of `before` that `after` lacks or holds
// fewer uses of, as "'w' (n uses)", comma-separated; "" when none.
std::string Removed(const std::vector<UserWord>& before, const std::vector<UserWord>& after) {
  const std::map<std::string, const UserWord*> now = ByWord(after);
  std::string out;
  for (const UserWord& w : before) {
    auto it = now.find(w.word);
    const uint64_t left = it == now.end() ? 0 : it->second->count;
    if (left >= w.count || w.count == 0) continue;
    out += (out.empty() ? "'" : ", '") + w.word + "' (" + Plural(w.count - left, "use", "uses") + ")";
  }
  return out;
}

// "N words (M uses)", and ", K blocked" when any: what `user` holds.
std::string Holds(const UserModel& user) {
  unsigned long long words = 0, blocked = 0;
  for (const UserWord& w : user.List()) {
    words += w.count > 0;
    blocked += w.blocked;
  }
  return Plural(words, "word", "words") + " (" + Plural(user.word_count(), "use", "uses") + ")" +
         (blocked ? ", " + std::to_string(blocked) + " blocked" : "");
}

// stat, not open: a FIFO at `path` must not block here (UserModel::Open then
// refuses anything but a regular file).
bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

int List(const std::string& file, const UserModel& user, bool json) {
  const std::vector<UserWord> words = user.List();
  if (json) {
    JsonWriter j;
    j.BeginObject().Key("file").Value(file);
    j.Key("word_count").Value(static_cast<unsigned long long>(user.word_count()));
    j.Key("memory_bytes").Value(static_cast<unsigned long long>(user.memory_bytes()));
    j.Key("touch_sigma").Value(static_cast<double>(user.touch_sigma()));
    j.Key("words").BeginArray();
    for (const UserWord& w : words) {
      j.BeginObject().Key("word").Value(w.word).Key("count").Value(static_cast<unsigned long long>(w.count));
      j.Key("blocked").Value(w.blocked).Key("suggested").Value(w.suggested).EndObject();
    }
    j.EndArray().EndObject();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }
  for (const UserWord& w : words) {
    std::string flags = w.blocked ? "blocked" : "";
    if (w.suggested) flags += flags.empty() ? "suggested" : " suggested";
    std::printf("%-24s %8llu  %s\n", w.word.c_str(), static_cast<unsigned long long>(w.count),
                flags.empty() ? "-" : flags.c_str());
  }
  std::printf("%s: %s, %zu bytes; touch spread %.2f key widths\n", file.c_str(), Holds(user).c_str(),
              user.memory_bytes(), static_cast<double>(user.touch_sigma()));
  return 0;
}

}  // namespace

int LearnMain(int argc, char** argv) {
  const char* cmd = "learn";
  Args args(argc, argv, {"help"});
  if (!args.ok()) return Usage(cmd, kLearnUsage, args.error());
  if (args.Has("help")) return Help(kLearnUsage);
  if (!args.CheckKnown({"user", "model", "file", "help"})) return Usage(cmd, kLearnUsage, args.error());
  if (!args.Has("user")) return Usage(cmd, kLearnUsage, "--user FILE is required");
  const std::vector<std::string>& pos = args.positional();
  if (args.Has("file") == !pos.empty())
    return Usage(cmd, kLearnUsage, args.Has("file") ? "give TEXT or --file, not both" : "no text to learn");
  std::string text, err;
  if (args.Has("file")) {
    if (!ReadInput(args.Get("file"), &text, &err)) return Fail(cmd, err);
  } else if (pos.size() == 1 && pos[0] == "-") {
    if (!ReadInput("-", &text, &err)) return Fail(cmd, err);
  } else {
    for (const std::string& p : pos) text += (text.empty() ? "" : " ") + p;
  }
  std::shared_ptr<const Engine> engine;
  std::string model;
  Status st = OpenEngine(args, &engine, &model);
  if (!st.ok()) return Fail(cmd, st);
  const std::string file = args.Get("user");
  std::shared_ptr<UserModel> user;
  st = OpenUserDictionary(cmd, engine, file, &user);
  if (!st.ok()) return Fail(cmd, st);
  const uint64_t before = user->word_count();
  st = user->Learn(text);
  if (!st.ok()) return Fail(cmd, st);
  std::printf("learned %s; %s holds %s\n", Plural(user->word_count() - before, "word", "words").c_str(),
              file.c_str(), Holds(*user).c_str());
  return 0;
}

int UserMain(int argc, char** argv) {
  const char* cmd = "user";
  Args args(argc, argv, {"json", "help"});
  if (!args.ok()) return Usage(cmd, kUserUsage, args.error());
  if (args.Has("help")) return Help(kUserUsage);
  if (!args.CheckKnown({"model", "json", "out", "help"})) return Usage(cmd, kUserUsage, args.error());
  const std::vector<std::string>& pos = args.positional();
  if (pos.size() < 2)
    return Usage(cmd, kUserUsage, pos.empty() ? "FILE and COMMAND are required" : "COMMAND is required");
  const std::string& file = pos[0];
  const std::string& sub = pos[1];
  // Each command and the number of arguments it takes.
  const std::map<std::string, size_t> kArgs = {{"list", 0},  {"forget", 1}, {"block", 1}, {"unblock", 1},
                                               {"clear", 0}, {"export", 0}, {"import", 1}};
  auto known = kArgs.find(sub);
  if (known == kArgs.end()) return Usage(cmd, kUserUsage, "unknown command '" + sub + "'");
  if (pos.size() < 2 + known->second) return Usage(cmd, kUserUsage, sub + " needs an argument");
  if (pos.size() > 2 + known->second) return Usage(cmd, kUserUsage, "unexpected argument '" + pos.back() + "'");
  if (args.Has("json") && sub != "list") return Usage(cmd, kUserUsage, "--json is for list");
  if (args.Has("out") && sub != "export") return Usage(cmd, kUserUsage, "--out is for export");
  const std::string arg = known->second ? pos[2] : "";

  // Read the import first: a missing PATH changes nothing.
  std::string text, err;
  if (sub == "import" && !ReadInput(arg, &text, &err)) return Fail(cmd, err);
  if ((sub == "list" || sub == "export") && !FileExists(file))
    return Fail(cmd, file + ": no such user dictionary");

  std::shared_ptr<const Engine> engine;
  std::string model;
  Status st = OpenEngine(args, &engine, &model);
  if (!st.ok()) return Fail(cmd, st);
  std::shared_ptr<UserModel> user;
  st = OpenUserDictionary(cmd, engine, file, &user);
  if (!st.ok()) return Fail(cmd, st);

  if (sub == "list") return List(file, *user, args.Has("json"));
  if (sub == "export") {
    const std::string data = user->Export();
    if (!args.Has("out")) {
      if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() || std::fflush(stdout) != 0)
        return Fail(cmd, "cannot write the export to stdout");
      return 0;
    }
    st = WriteFileAtomic(args.Get("out"), data.data(), data.size());
    if (!st.ok()) return Fail(cmd, st);
    std::printf("exported %s to %s: %s\n", Holds(*user).c_str(), args.Get("out").c_str(),
                Plural(data.size(), "byte", "bytes").c_str());
    return 0;
  }

  const std::vector<UserWord> before = user->List();
  if (sub == "forget" || sub == "block") {
    const bool block = sub == "block";
    st = block ? user->Block(arg) : user->Forget(arg);
    if (!st.ok()) return Fail(cmd, st);
    const std::string removed = Removed(before, user->List());
    if (block)
      std::printf("blocked '%s': never suggested%s%s\n", arg.c_str(), removed.empty() ? "" : "; forgot ",
                  removed.c_str());
    else if (removed.empty())
      std::printf("'%s' was not learned: nothing to forget\n", arg.c_str());
    else
      std::printf("forgot %s\n", removed.c_str());
    return 0;
  }
  if (sub == "unblock") {
    const bool was = user->IsBlocked(arg);
    st = user->Unblock(arg);
    if (!st.ok()) return Fail(cmd, st);
    std::printf(was ? "unblocked '%s'\n" : "'%s' was not blocked\n", arg.c_str());
    return 0;
  }
  if (sub == "clear") {
    unsigned long long words = 0, uses = 0, blocked = 0;
    for (const UserWord& w : before) {
      words += w.count > 0;
      uses += w.count;
      blocked += w.blocked;
    }
    st = user->Clear();
    if (!st.ok()) return Fail(cmd, st);
    std::printf("cleared %s: removed %s (%s), %s\n", file.c_str(), Plural(words, "word", "words").c_str(),
                Plural(uses, "use", "uses").c_str(), Plural(blocked, "block", "blocks").c_str());
    return 0;
  }
  // import
  const uint64_t uses_before = user->word_count();
  st = user->Import(text);
  if (!st.ok()) return Fail(cmd, (arg == "-" ? std::string("stdin") : arg) + ": " + st.message());
  std::printf("imported %s (%s); %s holds %s\n", arg == "-" ? "stdin" : arg.c_str(),
              Plural(user->word_count() - uses_before, "use", "uses").c_str(), file.c_str(), Holds(*user).c_str());
  return 0;
}

}  // namespace cli
}  // namespace hunch
