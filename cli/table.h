// Tables for the human output of the commands that list what a server holds
// (tasks, webhooks, deliveries, API keys): a header and rows, each column as
// wide as its widest cell, two spaces apart.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output.h"

namespace clawmit::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // A row of as many cells as there are headers (missing cells are empty).
  void Add(std::vector<std::string> row);
  [[nodiscard]] bool empty() const { return rows_.empty(); }

  // The header in bold when colour is on, then the rows; the last column is
  // not padded.
  void Print(Output& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// An API value as a cell: a string as it is, null or absent as "-", an
// array of strings joined by ",", anything else as compact JSON. Control
// characters become spaces, so a cell never breaks a line.
std::string Cell(const nlohmann::json& value);

// `object[key]` as a Cell; "-" when `object` is not an object or lacks it.
std::string Cell(const nlohmann::json& object, const char* key);

// The `data` array of a list answer ({"data":[…]}); empty when absent.
nlohmann::json ListData(const nlohmann::json& answer);

// "page 1 of 3 (45 tasks): --page 2 for more" for an API answer's
// `pagination` {"page","limit","total","totalPages"}; empty on the last page.
std::string MorePagesNote(const nlohmann::json& answer, const std::string& noun);

}  // namespace clawmit::cli
