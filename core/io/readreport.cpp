#include "core/io/readreport.h"

namespace webthreat {

std::size_t ReadReport::invalidCellCount() const noexcept
{
    std::size_t total = 0;
    for (const auto& cells : invalidCells)
        total += cells.count;
    return total;
}

} // namespace webthreat
