#include "table.h"

#include <algorithm>

namespace clawmit::cli {
namespace {

// Columns are counted in characters, not bytes: UTF-8 continuation bytes
// take no room.
size_t Width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return text;
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::Add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

void Table::Print(Output& out) const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) text += std::string(widths[i] - Width(row[i]) + 2, ' ');
    }
    return text;
  };
  out.Line(out.Paint(line(headers_), kBold));
  for (const auto& row : rows_) out.Line(line(row));
}

std::string Cell(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return OneLine(value.get<std::string>());
  if (value.is_array() && std::all_of(value.begin(), value.end(),
                                      [](const nlohmann::json& v) { return v.is_string(); })) {
    std::string joined;
    for (const auto& v : value) joined += (joined.empty() ? "" : ",") + v.get<std::string>();
    return OneLine(joined.empty() ? "-" : joined);
  }
  return OneLine(value.dump());
}

std::string Cell(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "-";
  auto it = object.find(key);
  return it == object.end() ? "-" : Cell(*it);
}

nlohmann::json ListData(const nlohmann::json& answer) {
  if (!answer.is_object()) return nlohmann::json::array();
  auto it = answer.find("data");
  return it != answer.end() && it->is_array() ? *it : nlohmann::json::array();
}

std::string MorePagesNote(const nlohmann::json& answer, const std::string& noun) {
  if (!answer.is_object() || !answer.contains("pagination")) return "";
  const nlohmann::json& pagination = answer["pagination"];
  auto number = [&](const char* key) -> int64_t {
    if (!pagination.is_object()) return 1;
    auto it = pagination.find(key);
    return it != pagination.end() && it->is_number_integer() ? it->get<int64_t>() : 1;
  };
  int64_t page = number("page");
  int64_t pages = number("totalPages");
  if (page >= pages) return "";
  return "page " + std::to_string(page) + " of " + std::to_string(pages) + " (" +
         Cell(pagination, "total") + " " + noun + "): --page " + std::to_string(page + 1) +
         " for more";
}

}  // namespace clawmit::cli
