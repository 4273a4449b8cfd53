// hunch metadata MODEL.hunch [--get NAME]
// hunch metadata MODEL.hunch [--set NAME=FILE ...] [--remove NAME ...] [--derive]
//   [--strip-text | --restore-text] --out OUT.hunch
// Lists a model's metadata sections (name, bytes), prints one, or rewrites
// the model with sections set from files or removed (ModelRewriter: the
// graph, the weights and every other section are copied unchanged), without
// retraining. --out alone rewrites it unchanged in the current format: a
// format-version-1 file (no checksum; the library refuses to run it) is
// upgraded. The output is written atomically (temporary file + rename) and
// only once every check passed; OUT may be MODEL.
//
// The engine's binary sections (lexicon.bin, emoji.bin:
// engine/model_sections.h) are derived from the text ones: every rewrite
// derives them again from the output's text metadata (and drops them when
// their text is gone), so they never disagree; --derive does only that.
// They cannot be set or removed by name.
//
// Models without the text (docs/format.md, "Models without the text
// sections"): --strip-text drops "lexicon", "surface" and "emoji" once
// lexicon.bin and emoji.bin hold them (the sections must match the text);
// the binary sections alone are what the engine reads. In such a model a
// missing text section stands for the text rendered back from its binary
// section (engine::ReadSourceTexts): --get prints it, every rewrite derives
// from it (so the binary sections stay as they are unless a --set changes
// their text), and --restore-text writes it back as text sections.
//
// Checks before anything is written: the text sections the toolchain and
// the engine use (kTextSections) must be valid UTF-8, the JSON ones must
// parse, and "offensive" must be one word per line (1 to 64 bytes, lower
// case, no spaces or control characters); when MODEL opens as an engine, the
// rewritten model must too.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/model_builder.h"  // WriteFileAtomic
#include "builder/model_rewriter.h"
#include "engine/emoji.h"
#include "engine/model_sections.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "text/unicode.h"
#include "text/utf8.h"
#include "tools/cli.h"
#include "util/json.h"

namespace hunch {
namespace cli {

namespace {

const char* kUsage =
    "hunch metadata MODEL.hunch [--get NAME]\n"
    "       hunch metadata MODEL.hunch [--set NAME=FILE ...] [--remove NAME ...] [--derive]\n"
    "                      [--strip-text | --restore-text] [--lexicon-version 2|3|4] --out OUT.hunch\n"
    "  (no option)     list the metadata sections: name and bytes\n"
    "  --get           write the bytes of section NAME to stdout (lexicon, surface, emoji of a model\n"
    "                  without them: the text rendered from lexicon.bin, emoji.bin)\n"
    "  --set           set section NAME to the bytes of FILE (replaced, or added in name order)\n"
    "  --remove        drop section NAME\n"
    "  --derive        derive the engine's binary sections (lexicon.bin, emoji.bin) again, nothing else\n"
    "  --strip-text    drop the text sections lexicon, surface and emoji, which lexicon.bin and\n"
    "                  emoji.bin hold (the smaller file to ship; the engine reads the binary ones)\n"
    "  --restore-text  write the text sections of a stripped model back (rendered from the binary ones)\n"
    "  --lexicon-version  lexicon.bin's layout: 2 (the default), 3 (4 bytes a word smaller, one\n"
    "                  array for LM ids and tail shares) or 4 (3 with 16-bit key offsets in blocks\n"
    "                  and only the most frequent tail words listed by count: about 5 bytes a word\n"
    "                  smaller again); a rewrite keeps the input's\n"
    "  --out           the rewritten model (written atomically; may be MODEL itself); alone, MODEL\n"
    "                  rewritten unchanged in the current format (a version-1 file gains its checksum)\n"
    "Every rewrite derives lexicon.bin and emoji.bin from the output's text sections (vocab,\n"
    "tokenizer, lexicon, surface, emoji; in a stripped model, the text rendered from them); they\n"
    "cannot be set or removed by name. A stripped model's words below lexicon.bin's min_count are\n"
    "gone: the engine then refuses a lower EngineOptions::min_word_count.\n"
    "Text sections (vocab, tokenizer, architecture, provenance, lexicon, surface, emoji, offensive,\n"
    "withheld)\n"
    "must be valid UTF-8, the JSON ones (tokenizer, architecture, provenance) must parse, and\n"
    "offensive and withheld must hold one lower-case word per line (1 to 64 bytes, no spaces or control\n"
    "characters).";

const char* const kTextSections[] = {"vocab",   "tokenizer", "architecture", "provenance",
                                     "lexicon", "surface",   "emoji",        "offensive", "withheld"};
const char* const kJsonSections[] = {"tokenizer", "architecture", "provenance"};
constexpr size_t kMaxWordBytes = 64;

bool OneOf(const std::string& name, const char* const* list, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (name == list[i]) return true;
  return false;
}

// Names --set accepts: letters, digits, '_', '-', '.' (what the toolchain writes).
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
          c == '.'))
      return false;
  return true;
}

// Byte offset and line (1-based) of the first ill-formed UTF-8 sequence;
// false when `s` is valid.
bool FindBadUtf8(std::string_view s, size_t* offset, size_t* line) {
  *line = 1;
  size_t pos = 0;
  while (pos < s.size()) {
    char32_t cp;
    const size_t n = text::DecodeUtf8(s, pos, &cp);
    // U+FFFD written out is three bytes; a decoding error is shorter or marks a bad sequence.
    if (cp == text::kReplacementChar && !(n == 3 && s.compare(pos, 3, "\xEF\xBF\xBD") == 0)) {
      *offset = pos;
      return true;
    }
    if (cp == '\n') ++*line;
    pos += n;
  }
  return false;
}

// The offensive and withheld lists' format: one word per line, a final newline allowed.
bool CheckWordList(std::string_view s, std::string* error) {
  size_t line_no = 0;
  while (!s.empty()) {
    ++line_no;
    const size_t nl = s.find('\n');
    const std::string_view line = s.substr(0, nl);
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    const std::string where = "line " + std::to_string(line_no);
    if (line.empty()) {
      *error = where + " is empty (one word per line)";
      return false;
    }
    if (line.size() > kMaxWordBytes) {
      *error = where + " has " + std::to_string(line.size()) + " bytes (at most " + std::to_string(kMaxWordBytes) + ")";
      return false;
    }
    size_t pos = 0;
    while (pos < line.size()) {
      const char32_t c = text::NextCodePoint(line, &pos);
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
        *error = where + " has a control character" + (c == '\r' ? " (CR: use \\n line ends)" : "");
        return false;
      }
      if (text::IsSpace(c)) {
        *error = where + " has a space: words only, not phrases";
        return false;
      }
    }
    if (text::Lower(line) != line) {
      *error = where + " ('" + std::string(line) + "') is not lower case";
      return false;
    }
  }
  return true;
}

// The checks of a section's new bytes (see the file comment).
bool CheckSection(const std::string& name, const std::string& bytes, std::string* error) {
  if (!OneOf(name, kTextSections, sizeof(kTextSections) / sizeof(kTextSections[0]))) return true;
  size_t offset, line;
  if (FindBadUtf8(bytes, &offset, &line)) {
    *error = "invalid UTF-8 at byte " + std::to_string(offset) + " (line " + std::to_string(line) + "): the " + name +
             " section is text";
    return false;
  }
  if (OneOf(name, kJsonSections, sizeof(kJsonSections) / sizeof(kJsonSections[0]))) {
    json::Value v;
    const Status s = json::Parse(bytes, &v);
    if (!s.ok()) {
      *error = "the " + name + " section must be JSON: " + s.message();
      return false;
    }
  }
  if (name == "offensive" || name == "withheld") return CheckWordList(bytes, error);
  return true;
}


size_t SectionBytes(const Model& m, const std::string& name) {
  const uint8_t* data;
  size_t size = 0;
  m.GetMetadata(name.c_str(), &data, &size);
  return size;
}

bool HasSection(const Model& m, const std::string& name) {
  for (int i = 0; i < m.num_metadata(); ++i)
    if (name == m.metadata_name(i)) return true;
  return false;
}

// A section of the output: set from a file, removed, or the input's.
std::string OutputSection(const Model& m, const std::map<std::string, std::string>& set,
                          const std::vector<std::string>& removes, const std::string& name) {
  auto it = set.find(name);
  if (it != set.end()) return it->second;
  for (const std::string& r : removes)
    if (r == name) return std::string();
  const uint8_t* data;
  size_t size = 0;
  if (!m.GetMetadata(name.c_str(), &data, &size).ok()) return std::string();
  return std::string(reinterpret_cast<const char*>(data), size);
}

// The output's source text of `name`: set, removed, the input's text
// section, or (a stripped input) the text rendered from its binary section.
std::string OutputSource(const Model& m, const engine::SourceTexts& rendered, const std::map<std::string, std::string>& set,
                         const std::vector<std::string>& removes, const std::string& name) {
  if (set.count(name) || std::find(removes.begin(), removes.end(), name) != removes.end() || HasSection(m, name))
    return OutputSection(m, set, removes, name);
  if (name == "lexicon") return rendered.lexicon;
  if (name == "surface") return rendered.surface;
  if (name == "emoji") return rendered.emoji;
  return std::string();
}

// Derives the engine's binary sections from the output's text sections:
// sets those that change, drops those whose text is gone. `derived_names`
// gets the names of the output's derived sections.
Status Derive(const Model& m, const engine::SourceTexts& rendered, const std::map<std::string, std::string>& set,
              const std::vector<std::string>& removes, uint32_t lexicon_version, ModelRewriter* rw,
              std::vector<std::string>* report, std::set<std::string>* derived_names) {
  auto text = [&](const char* name) { return OutputSource(m, rendered, set, removes, name); };
  std::vector<std::pair<std::string, std::string>> derived;
  Status s = engine::DeriveEngineSections(text("vocab"), text("tokenizer"), text("lexicon"), text("surface"),
                                          text("emoji"), &derived, lexicon_version);
  if (!s.ok()) return Status(s.code(), "deriving lexicon.bin and emoji.bin: " + s.message());
  for (const auto& kv : derived) derived_names->insert(kv.first);
  for (const std::string& name : engine::DerivedSectionNames()) {
    auto it = std::find_if(derived.begin(), derived.end(), [&](const auto& kv) { return kv.first == name; });
    const bool had = HasSection(m, name);
    if (it == derived.end()) {
      if (!had) continue;
      HUNCH_RETURN_IF_ERROR(rw->RemoveMetadata(name));
      report->push_back("removed " + name + " (derived; its text is gone)");
      continue;
    }
    const std::string old = OutputSection(m, {}, {}, name);
    if (had && old == it->second) continue;
    report->push_back(std::string(had ? "derived again " : "derived ") + name + " (" +
                      (had ? Thousands(old.size()) + " -> " : "") + Thousands(it->second.size()) + " bytes)");
    HUNCH_RETURN_IF_ERROR(rw->SetMetadata(name, std::move(it->second)));
  }
  return Status::OK();
}

}  // namespace

int MetadataMain(int argc, char** argv) {
  // --set and --remove repeat, so the options are read here rather than by Args.
  std::string model_path, out_path, get_name, lexicon_version_arg;
  bool has_out = false, has_get = false, derive = false, strip = false, restore = false;
  std::vector<std::pair<std::string, std::string>> sets;  // name, file
  std::vector<std::string> removes;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return Help(kUsage);
    if (a == "--derive" || a == "--strip-text" || a == "--restore-text") {
      (a == "--derive" ? derive : a == "--strip-text" ? strip : restore) = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a, value;
      bool has_value = false;
      const size_t eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        has_value = true;
      }
      if (name != "--set" && name != "--remove" && name != "--out" && name != "-o" && name != "--get" &&
          name != "--lexicon-version")
        return Usage("metadata", kUsage, "unknown option " + name);
      if (!has_value) {
        if (i + 1 >= argc) return Usage("metadata", kUsage, "option " + name + " needs a value");
        value = argv[++i];
      }
      if (name == "--set") {
        const size_t e = value.find('=');
        if (e == std::string::npos || e + 1 == value.size())
          return Usage("metadata", kUsage, "--set takes NAME=FILE, not '" + value + "'");
        const std::string section = value.substr(0, e);
        if (!ValidName(section))
          return Usage("metadata", kUsage,
                       "--set: section name '" + section + "' must be 1 to 64 letters, digits, '_', '-' or '.'");
        sets.emplace_back(section, value.substr(e + 1));
      } else if (name == "--remove") {
        if (value.empty()) return Usage("metadata", kUsage, "--remove takes a section name");
        removes.push_back(value);
      } else if (name == "--lexicon-version") {
        if (!lexicon_version_arg.empty()) return Usage("metadata", kUsage, "one --lexicon-version only");
        if (value != "2" && value != "3" && value != "4")
          return Usage("metadata", kUsage, "--lexicon-version must be 2, 3 or 4, not '" + value + "'");
        lexicon_version_arg = value;
      } else if (name == "--get") {
        if (has_get) return Usage("metadata", kUsage, "one --get only");
        has_get = true;
        get_name = value;
      } else {
        if (has_out) return Usage("metadata", kUsage, "one --out only");
        if (value.empty()) return Usage("metadata", kUsage, "--out needs a file name");
        has_out = true;
        out_path = value;
      }
    } else {
      if (!model_path.empty()) return Usage("metadata", kUsage, "one model only");
      model_path = a;
    }
  }
  if (model_path.empty()) return Usage("metadata", kUsage, "the model is missing");
  // --out alone rewrites the model unchanged in the current format (a
  // version-1 file gains its checksum).
  const bool rewrite =
      !sets.empty() || !removes.empty() || derive || strip || restore || !lexicon_version_arg.empty() || has_out;
  if (rewrite && !has_out)
    return Usage("metadata", kUsage,
                 "--set, --remove, --derive, --strip-text, --restore-text and --lexicon-version need --out OUT.hunch");
  if (rewrite && has_get)
    return Usage("metadata", kUsage,
                 "--get does not go with --set, --remove, --derive, --strip-text, --restore-text or --out");
  if (strip && restore) return Usage("metadata", kUsage, "--strip-text and --restore-text exclude each other");
  for (const std::string& r : removes)
    if ((strip || restore) && (r == "lexicon" || r == "surface" || r == "emoji"))
      return Usage("metadata", kUsage, std::string(strip ? "--strip-text" : "--restore-text") +
                                           " does not go with --remove " + r);
  std::set<std::string> named;
  for (const auto& s : sets)
    if (engine::IsDerivedSection(s.first))
      return Usage("metadata", kUsage, "section '" + s.first + "' is derived from the text sections: set those");
  for (const std::string& r : removes)
    if (engine::IsDerivedSection(r))
      return Usage("metadata", kUsage, "section '" + r + "' is derived from the text sections: remove those");
  for (const auto& s : sets)
    if (!named.insert(s.first).second) return Usage("metadata", kUsage, "section '" + s.first + "' is named twice");
  for (const std::string& r : removes)
    if (!named.insert(r).second) return Usage("metadata", kUsage, "section '" + r + "' is named twice");

  std::unique_ptr<ModelRewriter> rw;
  Status s = ModelRewriter::Open(model_path, &rw);
  if (!s.ok()) return Fail("metadata", s);
  const Model& m = rw->model();
  // A stripped model's text, rendered from its binary sections (empty for
  // the sections a model has as text).
  engine::SourceTexts rendered;
  s = engine::ReadSourceTexts(m, &rendered);
  if (!s.ok()) return Fail("metadata", model_path + ": " + s.ToString());

  if (has_get) {
    const uint8_t* data;
    size_t size;
    const std::string* text = get_name == "lexicon" && rendered.lexicon_rendered   ? &rendered.lexicon
                              : get_name == "surface" && rendered.surface_rendered ? &rendered.surface
                              : get_name == "emoji" && rendered.emoji_rendered     ? &rendered.emoji
                                                                                   : nullptr;
    if (text) {
      data = reinterpret_cast<const uint8_t*>(text->data());
      size = text->size();
    } else if (!m.GetMetadata(get_name.c_str(), &data, &size).ok()) {
      return Fail("metadata", model_path + " has no metadata section '" + get_name + "'");
    }
    if (size && std::fwrite(data, 1, size, stdout) != size) return Fail("metadata", "cannot write to stdout");
    return std::fflush(stdout) == 0 ? 0 : Fail("metadata", "cannot write to stdout");
  }
  if (!rewrite) {
    size_t total = 0;
    std::printf("%-24s %12s\n", "section", "bytes");
    for (int i = 0; i < m.num_metadata(); ++i) {
      const size_t size = SectionBytes(m, m.metadata_name(i));
      total += size;
      std::printf("%-24s %12s\n", m.metadata_name(i), Thousands(size).c_str());
    }
    std::printf("%d section%s, %s bytes of metadata\n", m.num_metadata(), m.num_metadata() == 1 ? "" : "s",
                Thousands(total).c_str());
    if (rendered.any_rendered())
      std::printf("text stripped:%s%s%s (--get renders it from the binary sections)\n",
                  rendered.lexicon_rendered ? " lexicon" : "", rendered.surface_rendered ? " surface" : "",
                  rendered.emoji_rendered ? " emoji" : "");
    return 0;
  }

  // Every check before the output is written.
  for (const std::string& r : removes) {
    if (!HasSection(m, r)) return Fail("metadata", model_path + " has no metadata section '" + r + "' to remove");
    s = rw->RemoveMetadata(r);
    if (!s.ok()) return Fail("metadata", s);
  }
  std::vector<std::string> report;
  std::map<std::string, std::string> set_bytes;  // name -> the new bytes
  for (const auto& kv : sets) {
    std::string bytes, error;
    if (!ReadFile(kv.second, &bytes, &error)) return Fail("metadata", error);
    if (!CheckSection(kv.first, bytes, &error)) return Fail("metadata", kv.second + ": " + error);
    const bool had = HasSection(m, kv.first);
    report.push_back(std::string(had ? "replaced " : "added ") + kv.first + " (" +
                     (had ? Thousands(SectionBytes(m, kv.first)) + " -> " : "") + Thousands(bytes.size()) +
                     " bytes, from " + kv.second + ")");
    set_bytes[kv.first] = bytes;
    s = rw->SetMetadata(kv.first, std::move(bytes));
    if (!s.ok()) return Fail("metadata", s);
  }
  for (const std::string& r : removes)
    report.push_back("removed " + r + " (" + Thousands(SectionBytes(m, r)) + " bytes)");
  std::set<std::string> derived_names;
  // lexicon.bin's layout: as asked, else the input's (a rewrite keeps it).
  const uint32_t lexicon_version = lexicon_version_arg.empty()
                                       ? engine::LexiconSectionVersion(m)
                                       : static_cast<uint32_t>(std::stoul(lexicon_version_arg));
  s = Derive(m, rendered, set_bytes, removes, lexicon_version, rw.get(), &report, &derived_names);
  if (!s.ok()) return Fail("metadata", s);
  if (strip) {
    // The text each binary section holds: lexicon and surface in
    // lexicon.bin, emoji in emoji.bin.
    for (const char* name : {"lexicon", "surface", "emoji"}) {
      if (!HasSection(m, name) && !set_bytes.count(name)) continue;
      const char* bin = std::string(name) == "emoji" ? engine::kEmojiSectionName : engine::kLexiconSectionName;
      if (!derived_names.count(bin))
        return Fail("metadata", std::string("--strip-text: the ") + name + " section has no " + bin +
                                    " to live in (" +
                                    (std::string(bin) == engine::kLexiconSectionName
                                         ? "lexicon.bin needs the vocab and tokenizer sections"
                                         : "no emoji text") +
                                    "); nothing was written");
      const size_t bytes = set_bytes.count(name) ? set_bytes[name].size() : SectionBytes(m, name);
      s = rw->RemoveMetadata(name);
      if (!s.ok()) return Fail("metadata", s);
      report.push_back(std::string("stripped ") + name + " (" + Thousands(bytes) + " bytes; " + bin + " holds it)");
    }
  }
  if (restore) {
    const std::pair<const char*, const std::string*> texts[] = {
        {"lexicon", rendered.lexicon_rendered ? &rendered.lexicon : nullptr},
        {"surface", rendered.surface_rendered ? &rendered.surface : nullptr},
        {"emoji", rendered.emoji_rendered ? &rendered.emoji : nullptr}};
    for (const auto& t : texts) {
      if (!t.second || set_bytes.count(t.first)) continue;
      s = rw->SetMetadata(t.first, *t.second);
      if (!s.ok()) return Fail("metadata", s);
      report.push_back(std::string("restored ") + t.first + " (" + Thousands(t.second->size()) +
                       " bytes, rendered from " +
                       (std::string(t.first) == "emoji" ? engine::kEmojiSectionName : engine::kLexiconSectionName) +
                       ")");
    }
  }
  std::vector<uint8_t> file;
  s = rw->Finish(&file);
  if (!s.ok()) return Fail("metadata", s);
  // A model the engine opened must still open (vocab, lexicon, tokenizer...).
  std::shared_ptr<const Engine> engine;
  if (Engine::FromModel(rw->shared_model(), EngineOptions(), &engine).ok()) {
    engine.reset();
    s = Engine::OpenBuffer(file.data(), file.size(), EngineOptions(), &engine);
    if (!s.ok()) return Fail("metadata", "the rewritten model does not open as an engine: " + s.ToString());
  }
  struct stat st;
  const long long before = ::stat(model_path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  s = WriteFileAtomic(out_path, file.data(), file.size());
  if (!s.ok()) return Fail("metadata", s);
  std::printf("%s -> %s\n", model_path.c_str(), out_path.c_str());
  for (const std::string& line : report) std::printf("  %s\n", line.c_str());
  std::printf("size: %s -> %s bytes\n", before >= 0 ? Thousands(static_cast<unsigned long long>(before)).c_str() : "?",
              Thousands(file.size()).c_str());
  return 0;
}

}  // namespace cli
}  // namespace hunch
