// The libraries iesync loads when first needed (libcurl, libcrypto, libsystemd): a function is
// found under its own name with its own type; a library or function that is missing is said in
// words that name the Debian package to install.
#include "connectors/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace iesync {
namespace {

TEST(SharedLibrary, AFunctionIsFoundWithItsOwnType) {
  SharedLibrary c("libc.so.6", "libc6");
  decltype(&::strlen) len = nullptr;
  c.bind("strlen", len);
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_NE(len, nullptr);
  EXPECT_EQ(len("Focus Room"), 10u);
}

TEST(SharedLibrary, AMissingLibraryNamesThePackageToInstall) {
  SharedLibrary none("libiesync-none.so.9", "libiesync-none9");
  decltype(&::strlen) len = nullptr;
  none.bind("strlen", len);
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(len, nullptr);
  EXPECT_NE(none.error().find("libiesync-none.so.9 could not be loaded"), std::string::npos)
      << none.error();
  EXPECT_NE(none.error().find("install Debian's libiesync-none9 package"), std::string::npos)
      << none.error();
}

TEST(SharedLibrary, AMissingFunctionIsNamedAndTheRestAreNotLookedUp) {
  SharedLibrary c("libc.so.6", "libc6");
  decltype(&::strlen) nope = nullptr, len = nullptr;
  c.bind("iesync_no_such_function", nope);
  c.bind("strlen", len);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "libc.so.6 has no iesync_no_such_function; install Debian's libc6 package");
  EXPECT_EQ(nope, nullptr);
  EXPECT_EQ(len, nullptr) << "a library missing a function is not used at all";
}

}  // namespace
}  // namespace iesync
