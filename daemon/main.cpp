#include <sys/stat.h>

#include "daemon/cli.h"

int main(int argc, char** argv) {
  // The store, the logs and any export name children: nothing iesync creates may be
  // readable by other users, whatever the caller's umask (files still get explicit modes).
  ::umask(027);
  return iesync::run_cli(argc, argv);
}
