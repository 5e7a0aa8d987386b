#pragma once

#include "core/behaviour/behaviour.h"

#include <QString>

#include <cstddef>

namespace webthreat {

// The report's "Behaviour over time" section (issue 21), the same entries as `webthreat analyze`'s
// text and JSON (core/behaviour/behaviourreport.h): the top beacon pairs with their score and its
// parts, and the top scanning sources with their busiest window. Every value from the file is
// escaped.
QString behaviourSectionHtml(const BehaviourResult& behaviour, const TrafficTable& table, std::size_t shown = 10);

} // namespace webthreat
