#include "protocol/pattern_matcher.h"

#include <cctype>
#include <memory>
#include <optional>

namespace riffle::protocol {

// Parse tree of a pattern.
struct PatternMatcher::Node {
  enum class Kind { kClass, kConcat, kAlternate, kRepeat } kind;
  CharClass cls;                              // kClass
  std::vector<std::unique_ptr<Node>> children;  // kConcat, kAlternate, kRepeat (1)
  int min = 0;
  int max = -1;  // kRepeat; -1 = unbounded
};

namespace {

using Node = PatternMatcher::Node;

[[noreturn]] void Fail(std::string_view pattern, const char* why) {
  throw std::invalid_argument("unsupported pattern '" + std::string(pattern) + "': " + why);
}

// Recursive-descent parser over the pattern text.
class Parser {
 public:
  using CharClass = decltype(Node::cls);
  explicit Parser(std::string_view p) : p_(p) {}

  std::unique_ptr<Node> ParseAll() {
    if (Peek('^')) ++i_;
    auto node = ParseAlternation();
    if (Peek('$')) ++i_;
    if (i_ != p_.size()) Fail(p_, "trailing characters");
    return node;
  }

 private:
  bool Peek(char c) const { return i_ < p_.size() && p_[i_] == c; }

  std::unique_ptr<Node> ParseAlternation() {
    auto first = ParseConcat();
    if (!Peek('|')) return first;
    auto alt = std::make_unique<Node>();
    alt->kind = Node::Kind::kAlternate;
    alt->children.push_back(std::move(first));
    while (Peek('|')) {
      ++i_;
      alt->children.push_back(ParseConcat());
    }
    return alt;
  }

  std::unique_ptr<Node> ParseConcat() {
    auto cat = std::make_unique<Node>();
    cat->kind = Node::Kind::kConcat;
    while (i_ < p_.size() && !Peek('|') && !Peek(')') && !(Peek('$') && i_ + 1 == p_.size())) {
      cat->children.push_back(ParseRepeat());
    }
    return cat;
  }

  std::unique_ptr<Node> ParseRepeat() {
    auto atom = ParseAtom();
    while (i_ < p_.size()) {
      int min, max;
      char c = p_[i_];
      if (c == '*') {
        min = 0, max = -1, ++i_;
      } else if (c == '+') {
        min = 1, max = -1, ++i_;
      } else if (c == '?') {
        min = 0, max = 1, ++i_;
      } else if (c == '{') {
        ++i_;
        min = ParseInt();
        max = min;
        if (Peek(',')) {
          ++i_;
          max = Peek('}') ? -1 : ParseInt();
        }
        if (!Peek('}')) Fail(p_, "bad {n,m}");
        ++i_;
        if (max != -1 && max < min) Fail(p_, "bad {n,m}");
      } else {
        break;
      }
      auto rep = std::make_unique<Node>();
      rep->kind = Node::Kind::kRepeat;
      rep->min = min;
      rep->max = max;
      rep->children.push_back(std::move(atom));
      atom = std::move(rep);
    }
    return atom;
  }

  int ParseInt() {
    int v = 0;
    size_t start = i_;
    while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9') v = v * 10 + (p_[i_++] - '0');
    if (i_ == start || v > 1000) Fail(p_, "bad repetition count");
    return v;
  }

  std::unique_ptr<Node> ClassNode(const CharClass& cls) {
    auto n = std::make_unique<Node>();
    n->kind = Node::Kind::kClass;
    n->cls = cls;
    return n;
  }

  static CharClass Single(uint32_t c) {
    CharClass cls;
    cls.ascii.set(c);
    return cls;
  }

  // Shorthand classes; returns nullopt if `c` is not one.
  static std::optional<CharClass> Shorthand(char c) {
    CharClass cls;
    switch (c) {
      case 'd': case 'D':
        for (int x = '0'; x <= '9'; ++x) cls.ascii.set(x);
        break;
      case 's': case 'S':  // Java's \s is ASCII-only: [ \t\n\x0B\f\r]
        for (int x : {' ', '\t', '\n', '\x0B', '\f', '\r'}) cls.ascii.set(x);
        break;
      case 'w': case 'W':
        for (int x = 0; x < 128; ++x) {
          if ((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') || x == '_') {
            cls.ascii.set(x);
          }
        }
        break;
      default:
        return std::nullopt;
    }
    if (c >= 'A' && c <= 'Z') {  // negated form
      cls.ascii.flip();
      cls.non_ascii = true;
    }
    return cls;
  }

  std::unique_ptr<Node> ParseAtom() {
    char c = p_[i_++];
    switch (c) {
      case '(': {
        if (p_.substr(i_, 2) == "?:") i_ += 2;
        auto inner = ParseAlternation();
        if (!Peek(')')) Fail(p_, "unbalanced '('");
        ++i_;
        return inner;
      }
      case '[':
        return ClassNode(ParseBracket());
      case '.': {  // any code point except line terminators
        CharClass cls;
        cls.ascii.set();
        cls.ascii.reset('\n');
        cls.ascii.reset('\r');
        cls.non_ascii = true;
        return ClassNode(cls);
      }
      case '\\': {
        if (i_ >= p_.size()) Fail(p_, "trailing '\\'");
        char e = p_[i_++];
        if (auto cls = Shorthand(e)) return ClassNode(*cls);
        if (std::isalnum(static_cast<unsigned char>(e))) Fail(p_, "unsupported escape");
        return ClassNode(Single(static_cast<unsigned char>(e)));
      }
      case '*': case '+': case '?': case '{': case ')': case '|':
        Fail(p_, "unexpected metacharacter");
      default:
        if (static_cast<unsigned char>(c) >= 0x80) Fail(p_, "non-ASCII literal");
        return ClassNode(Single(static_cast<unsigned char>(c)));
    }
  }

  CharClass ParseBracket() {
    CharClass cls;
    bool negate = Peek('^');
    if (negate) ++i_;
    bool first = true;
    while (i_ < p_.size() && (p_[i_] != ']' || first)) {
      first = false;
      uint32_t lo;
      if (p_[i_] == '\\') {
        ++i_;
        if (i_ >= p_.size()) Fail(p_, "trailing '\\'");
        char e = p_[i_++];
        if (auto sh = Shorthand(e)) {
          cls.ascii |= sh->ascii;
          cls.non_ascii = cls.non_ascii || sh->non_ascii;
          continue;
        }
        lo = static_cast<unsigned char>(e);
      } else {
        lo = static_cast<unsigned char>(p_[i_++]);
      }
      uint32_t hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        hi = static_cast<unsigned char>(p_[i_++]);
        if (hi < lo) Fail(p_, "bad range");
      }
      if (hi >= 0x80) Fail(p_, "non-ASCII class member");
      for (uint32_t x = lo; x <= hi; ++x) cls.ascii.set(x);
    }
    if (!Peek(']')) Fail(p_, "unbalanced '['");
    ++i_;
    if (negate) {
      cls.ascii.flip();
      cls.non_ascii = !cls.non_ascii;
    }
    return cls;
  }

  std::string_view p_;
  size_t i_ = 0;
};

// Decodes one UTF-8 code point at s[*i], advancing *i. Malformed bytes
// decode as 0x80 (some non-ASCII code point), one byte at a time.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (*i + len > s.size()) len = 1;
  *i += len;
  return 0x80;  // only ASCII membership matters to CharClass
}

}  // namespace

PatternMatcher::PatternMatcher(std::string_view pattern) : pattern_(pattern) {
  Parser parser(pattern);
  auto root = parser.ParseAll();
  Emit(*root);
  AddInst({Op::kMatch});
}

void PatternMatcher::Emit(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kClass:
      classes_.push_back(node.cls);
      AddInst({Op::kClass, static_cast<uint32_t>(classes_.size() - 1)});
      return;
    case Node::Kind::kConcat:
      for (const auto& child : node.children) Emit(*child);
      return;
    case Node::Kind::kAlternate: {
      // split L1, next; L1: a; jmp end; next: split L2, next2; ...
      std::vector<uint32_t> jumps;
      for (size_t k = 0; k + 1 < node.children.size(); ++k) {
        uint32_t split = AddInst({Op::kSplit});
        program_[split].x = split + 1;
        Emit(*node.children[k]);
        jumps.push_back(AddInst({Op::kJmp}));
        program_[split].y = static_cast<uint32_t>(program_.size());
      }
      Emit(*node.children.back());
      for (uint32_t j : jumps) program_[j].x = static_cast<uint32_t>(program_.size());
      return;
    }
    case Node::Kind::kRepeat: {
      const Node& body = *node.children[0];
      for (int k = 0; k < node.min; ++k) Emit(body);
      if (node.max == -1) {
        // L: split body, end; body; jmp L
        uint32_t split = AddInst({Op::kSplit});
        program_[split].x = split + 1;
        Emit(body);
        AddInst({Op::kJmp, split});
        program_[split].y = static_cast<uint32_t>(program_.size());
      } else {
        // (body)? repeated max-min times, each optional copy may end the run.
        std::vector<uint32_t> splits;
        for (int k = node.min; k < node.max; ++k) {
          uint32_t split = AddInst({Op::kSplit});
          program_[split].x = split + 1;
          splits.push_back(split);
          Emit(body);
        }
        for (uint32_t s : splits) program_[s].y = static_cast<uint32_t>(program_.size());
      }
      return;
    }
  }
}

bool PatternMatcher::Matches(std::string_view input) const {
  // Two thread lists (sparse sets keyed by pc) and a DFS stack for
  // epsilon closure.
  const size_t n = program_.size();
  thread_local std::vector<uint32_t> scratch;
  scratch.assign(5 * n + 1, 0);
  uint32_t* cur = scratch.data();
  uint32_t* next = cur + n;
  uint32_t* mark = next + n;  // generation stamp per pc
  uint32_t* stack = mark + n;  // up to 2n + 1 entries
  size_t cur_len = 0, next_len = 0;
  uint32_t generation = 1;

  auto add = [&](uint32_t* list, size_t* len, uint32_t pc0) {
    size_t sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      uint32_t pc = stack[--sp];
      if (mark[pc] == generation) continue;
      mark[pc] = generation;
      const Inst& in = program_[pc];
      switch (in.op) {
        case Op::kJmp: stack[sp++] = in.x; break;
        case Op::kSplit:
          stack[sp++] = in.y;
          stack[sp++] = in.x;
          break;
        case Op::kClass:
        case Op::kMatch: list[(*len)++] = pc; break;
      }
    }
  };

  add(cur, &cur_len, 0);
  size_t i = 0;
  while (i < input.size()) {
    if (cur_len == 0) return false;
    uint32_t cp = NextCodePoint(input, &i);
    ++generation;
    next_len = 0;
    for (size_t k = 0; k < cur_len; ++k) {
      const Inst& in = program_[cur[k]];
      if (in.op == Op::kClass && classes_[in.x].Contains(cp)) add(next, &next_len, cur[k] + 1);
    }
    std::swap(cur, next);
    cur_len = next_len;
  }
  for (size_t k = 0; k < cur_len; ++k) {
    if (program_[cur[k]].op == Op::kMatch) return true;
  }
  return false;
}

}  // namespace riffle::protocol
