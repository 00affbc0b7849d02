// Dates given on the command line (`log --since/--until`), read as git reads
// the common ones. Times are UTC, as clawmit prints them.
#pragma once

#include <cstdint>
#include <string>

#include "clawmit/core/status.h"

namespace clawmit::cli {

// Which end of a day a date without a time stands for.
enum class DayEnd { kStart, kEnd };

// Seconds since the epoch for `text`, relative to `now`:
//   2026-12-01                      that day (its start or its end, `day_end`)
//   2026-12-01T10:00[:00][Z|±hh:mm]  a date and time ('T' or a space; UTC unless a zone is given)
//   @1764590400                     seconds since the epoch
//   3 days ago, 3.days.ago, 2.weeks  N second(s)|minute(s)|hour(s)|day(s)|week(s)|month(s)|year(s)
//                                   before now ("ago" optional; a month is 30 days, a year 365)
//   now, today, yesterday           now; the start of today; 24 hours before now
// kInvalidArgument naming `option` and the text otherwise.
Result<int64_t> ParseDateArg(const std::string& text, int64_t now, DayEnd day_end,
                             const std::string& option);

}  // namespace clawmit::cli
