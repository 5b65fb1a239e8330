// Text from outside made safe to show: what is escaped, what is kept as it is.
#include "mapping/shown_text.h"

#include <gtest/gtest.h>

namespace iesync {
namespace {

TEST(ShownText, ControlsAreEscapedAndOrdinaryTextKept) {
  EXPECT_EQ(shown("Zoë O'Neil\tY9"), "Zoë O'Neil\tY9");
  EXPECT_FALSE(needs_showing("Zoë O'Neil\tY9"));
  EXPECT_EQ(shown("X99\x1b[2J\x1b]0;pwned\x07"), R"(X99\x1b[2J\x1b]0;pwned\x07)");
  EXPECT_EQ(shown("a\nb\r\x7f"), R"(a\x0ab\x0d\x7f)");
  EXPECT_EQ(shown(std::string_view("N\0UL", 4)), R"(N\x00UL)");
  EXPECT_EQ(shown("\xc2\x9b"
                  "31m"),
            R"(\u009b31m)")
      << "C1 CSI, as UTF-8";
  EXPECT_EQ(shown("\xc2\xa0"), "\xc2\xa0") << "U+00A0 is text, not C1";
  EXPECT_EQ(shown("\xff\xc3"), R"(\xff\xc3)") << "bytes that are not UTF-8";
  EXPECT_EQ(shown("\xc0\xaf"), R"(\xc0\xaf)") << "an overlong form";
}

TEST(ShownText, Utf8CheckAllowsControlsButNotBrokenSequences) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("Zoë\n\x1b\xc2\x9b\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_utf8("\xff"));
  EXPECT_FALSE(is_utf8("Zo\xc3"));
  EXPECT_FALSE(is_utf8("\xed\xa0\x80")) << "a surrogate";
}

}  // namespace
}  // namespace iesync
