// Fork types checked against the real change, one rule for the CLI and the
// server: exact_clone changes nothing; prompt_mutation changes the prompt and
// nothing else; tool_mutation changes tools or config and not the prompt.
#pragma once

#include <optional>

#include "clawmit/core/agent.h"
#include "clawmit/core/commit.h"
#include "clawmit/core/status.h"

namespace clawmit::core {

// The fork type the change from `source` to `fork` is, or kInvalidArgument
// when it fits none (a prompt change together with a tools/config change).
Result<ForkType> InferForkType(const AgentContent& source, const AgentContent& fork);

// Checks `requested` against the change; kInvalidArgument says what changed
// that the type does not allow ("prompt_mutation changes tools: added
// 'search'"). With no `requested`, returns InferForkType.
Result<ForkType> CheckForkType(std::optional<ForkType> requested, const AgentContent& source,
                               const AgentContent& fork);

}  // namespace clawmit::core
