// The coordinating process: forks the workers, drives the phases of a scenario, publishes
// (fan-out) or samples the server (idle, connect), prints progress and the JSON result.
#pragma once

#include "options.h"

namespace gyre::bench {

// Returns the process exit code: 0 when the scenario ran (even if the server lost messages:
// the result says so), 2 when it could not run (server unreachable, nobody connected).
int RunScenario(const Options& options);

}  // namespace gyre::bench
