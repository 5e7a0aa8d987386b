#include "ui/threatmarks.h"

#include "core/context/threatlist.h"
#include "ui/analysissnapshot.h"
#include "ui/charts/chartstyle.h"

#include <QPainter>
#include <QPen>

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace webthreat {

std::vector<std::uint32_t> listedRows(const ThreatMatches& matches, const std::vector<std::uint8_t>* mask)
{
    std::vector<std::uint32_t> rows;
    const std::size_t count = std::min(matches.src.size(), matches.dst.size());
    if (mask && mask->size() != count)
        mask = nullptr;
    rows.reserve(matches.matchedRows);
    for (std::size_t row = 0; row < count; ++row)
        if ((matches.src[row] | matches.dst[row]) != 0 && (!mask || (*mask)[row] != 0))
            rows.push_back(static_cast<std::uint32_t>(row));
    return rows;
}

std::vector<std::uint32_t> listedRows(const AnalysisSnapshot& snapshot, const std::vector<std::uint8_t>* mask)
{
    if (!snapshot.threatMatches || !snapshot.data
        || snapshot.threatMatches->src.size() != snapshot.data->table.rowCount())
        return {};
    return listedRows(*snapshot.threatMatches, mask);
}

QString listNames(const ThreatMatches* matches, std::size_t row)
{
    if (!matches || row >= matches->src.size() || row >= matches->dst.size())
        return {};
    const std::uint64_t set = matches->row(row);
    return set == 0 ? QString() : QString::fromStdString(matches->names(set));
}

QImage threatListMarker(int size, qreal devicePixelRatio)
{
    QImage image(QSize(size, size) * devicePixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(devicePixelRatio);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    // An x, not a ring or a diamond: the selected row has the ring and the analyst's verdicts the
    // diamonds. The halo keeps it legible over the red and blue points.
    const qreal inset = 2.5;
    const qreal far = size - inset;
    for (const auto& [color, width] :
         {std::pair{chartstyle::overlayColor(), 4.5}, std::pair{chartstyle::threatListColor(), 2.2}}) {
        painter.setPen(QPen(color, width, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(QPointF(inset, inset), QPointF(far, far));
        painter.drawLine(QPointF(inset, far), QPointF(far, inset));
    }
    return image;
}

ListedCount countListed(const AnalysisSnapshot& snapshot, const std::vector<std::uint32_t>& rows)
{
    ListedCount count;
    if (!snapshot.data)
        return count;
    const std::size_t rowCount = snapshot.data->table.rowCount();
    const Verdicts* verdicts = snapshot.hasDetection() && snapshot.verdicts->suspicious.size() == rowCount
        ? snapshot.verdicts.get()
        : nullptr;
    const auto& sources = snapshot.data->table.column(Field::SrcIp).text;
    std::unordered_set<std::uint32_t> distinct;
    for (const std::uint32_t row : rows) {
        if (row >= rowCount)
            continue;
        ++count.rows;
        if (verdicts && verdicts->isSuspicious(row))
            ++count.suspiciousRows;
        if (row < sources.size() && sources[row] != StringPool::kMissing)
            distinct.insert(sources[row]);
    }
    count.sources = distinct.size();
    return count;
}

} // namespace webthreat
