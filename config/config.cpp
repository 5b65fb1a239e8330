#include "config/config.h"

namespace iesync {

bool StatusConfig::loopback_only() const {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace iesync
