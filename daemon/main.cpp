#include "daemon/cli.h"

int main(int argc, char** argv) { return iesync::run_cli(argc, argv); }
