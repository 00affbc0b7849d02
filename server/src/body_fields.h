// Internal: the one rule every JSON body of the API follows (docs/SERVER.md
// "Request bodies"): a body holds only the fields its route knows, and each
// string in it is at most as long as its field allows. A route declares its
// body as a table of BodyField (body_shapes.h); ReadJsonObject (api_util.h)
// checks a body against it before the route reads anything, so a refused
// body changes nothing.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "router.h"

namespace clawmit::server {

struct BodyField {
  std::string_view name;
  // The longest string the field takes, in bytes of UTF-8; for an array,
  // the longest string of each element. 0: the field holds no string of its
  // own (a number, a boolean, or an object checked by its route).
  size_t max_bytes = 0;
  // For an object (or an array of objects): the fields it may hold, checked
  // alike; empty: a free-form object (a task's input, an agent's config),
  // bounded by the body limit and its route's own checks.
  std::span<const BodyField> fields = {};
};

// Appends to `details` every key of the object `body` that `fields` does not
// name ("unknown field (name, description)"), and every string longer than
// its field allows ("is 100000 bytes; at most 256 are allowed"), with paths
// as "author.name", "versions[2].commitMessage", "events[0]" under `prefix`.
void CheckBodyFields(const nlohmann::json& body, std::span<const BodyField> fields,
                     const std::string& prefix, std::vector<ApiFieldError>& details);

}  // namespace clawmit::server
