#include "cre2.h"

#include <re2/re2.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

struct cre2_regex {
    re2::RE2 re;
    explicit cre2_regex(re2::StringPiece pattern) : re(pattern, re2::RE2::Quiet) {}
};

extern "C" cre2_regex *cre2_new(const char *pattern, size_t length, char *error, size_t error_length) {
    cre2_regex *regex = new cre2_regex(re2::StringPiece(pattern, length));
    if (!regex->re.ok()) {
        if (error != nullptr && error_length > 0) {
            std::strncpy(error, regex->re.error().c_str(), error_length - 1);
            error[error_length - 1] = '\0';
        }
        delete regex;
        return nullptr;
    }
    return regex;
}

extern "C" void cre2_free(cre2_regex *regex) { delete regex; }

extern "C" int cre2_group_count(const cre2_regex *regex) { return regex->re.NumberOfCapturingGroups(); }

extern "C" int cre2_group_index(const cre2_regex *regex, const char *name) {
    const std::map<std::string, int> &groups = regex->re.NamedCapturingGroups();
    auto found = groups.find(name);
    return found == groups.end() ? -1 : found->second;
}

extern "C" int cre2_full_match(const cre2_regex *regex, const char *text, size_t length) {
    return re2::RE2::FullMatch(re2::StringPiece(text, length), regex->re) ? 1 : 0;
}

extern "C" int cre2_full_match_groups(const cre2_regex *regex, const char *text, size_t length,
                                      long *starts, long *ends, int groups) {
    std::vector<re2::StringPiece> pieces(groups > 0 ? groups : 1);
    re2::StringPiece input(text, length);
    if (!regex->re.Match(input, 0, length, re2::RE2::ANCHOR_BOTH, pieces.data(), groups)) return 0;
    for (int i = 0; i < groups; i++) {
        if (pieces[i].data() == nullptr) {
            starts[i] = -1;
            ends[i] = -1;
        } else {
            starts[i] = static_cast<long>(pieces[i].data() - text);
            ends[i] = starts[i] + static_cast<long>(pieces[i].size());
        }
    }
    return 1;
}
