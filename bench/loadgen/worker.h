// A load generator worker process: owns a slice of the client connections and runs its own
// epoll loop until the coordinator sets the phase to kExit.
#pragma once

#include "options.h"
#include "ws_client.h"

namespace gyre::bench {

// Serves connections [begin, end) of the scenario. Returns the process exit code.
int RunWorker(const Options& options, const Endpoint& endpoint, Control* control,
              WorkerStats* stats, int begin, int end, int worker_count);

// Channel of connection `i`, shared with the coordinator (which publishes to it).
std::string ChannelFor(const Options& options, int i);

}  // namespace gyre::bench
