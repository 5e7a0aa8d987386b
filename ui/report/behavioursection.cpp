#include "ui/report/behavioursection.h"

#include "core/behaviour/behaviourreport.h"
#include "core/io/timestamp.h"
#include "core/util/format.h"
#include "ui/report/reporthtml.h"

namespace webthreat {

using reporthtml::esc;
using reporthtml::tr;

namespace {

QString fixed2(double value)
{
    return QString::number(value, 'f', 2);
}

QString count(std::size_t value)
{
    return QString::fromStdString(groupedCount(value));
}

QString text(const TrafficTable& table, std::uint32_t id)
{
    return id == StringPool::kMissing ? tr("(no address)") : esc(table.strings->view(id));
}

QString when(Instant instant)
{
    return QString::fromStdString(formatTimestamp(instant));
}

QString beaconTable(const BeaconResult& beacons, const TrafficTable& table, std::size_t shown)
{
    const auto pairs = reportedBeacons(beacons, shown);
    QString html = QStringLiteral("<h3>%1</h3>").arg(tr("Beacon pairs"));
    if (pairs.empty())
        return html
            + QStringLiteral("<p class='note'>%1</p>")
                  .arg(tr("No pair scores %1 or more.").arg(fixed2(kReportedBeaconScore)));
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'><thead><tr><th>%1</th>"
                           "<th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th><th>%7</th><th>%8</th></tr></thead>")
                .arg(tr("Score"), tr("Source → destination"), tr("Sessions"), tr("Beat"), tr("Timing"), tr("Sizes"),
                     tr("Coverage"), tr("Seen"));
    for (const BeaconPair* pair : pairs) {
        QString destination = text(table, pair->dstIp);
        if (pair->dstPort != kMissingInteger)
            destination += QStringLiteral(":%1").arg(pair->dstPort);
        const QString beat = esc(beaconSentence(*pair).substr(std::string("this pair repeats ").size())) + ", "
            + esc(formatBytes(pair->medianBytes)) + tr(" each");
        html += QStringLiteral("<tr><td class='n'>%1</td><td class='mono'>%2 → %3</td><td class='n'>%4</td><td>%5</td>"
                               "<td class='n'>%6</td><td class='n'>%7</td><td class='n'>%8</td><td>%9</td></tr>")
                    .arg(fixed2(pair->score), text(table, pair->srcIp), destination, count(pair->sessions), beat,
                         fixed2(pair->parts.timing), fixed2(pair->parts.sizes), fixed2(pair->parts.coverage),
                         when(pair->firstSeen) + QStringLiteral(" – ") + when(pair->lastSeen));
    }
    return html + QStringLiteral("</table>");
}

QString scanTable(const FanOutResult& fanOut, const TrafficTable& table, std::size_t shown)
{
    const auto scans = reportedScans(fanOut, shown);
    QString html = QStringLiteral("<h3>%1</h3>").arg(tr("Scanning sources"));
    if (scans.empty())
        return html
            + QStringLiteral("<p class='note'>%1</p>")
                  .arg(tr("No source touches %1 or more ports or hosts in a window.").arg(fanOut.params.minFanOut));
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'><thead><tr><th>%1</th>"
                           "<th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th><th>%7</th></tr></thead>")
                .arg(tr("Score"), tr("Source"), tr("Busiest window"), tr("Ports"), tr("Hosts"),
                     tr("Failed / sessions"), tr("Over its usual"));
    for (const SourceActivity* source : scans) {
        const SourceWindow& window = fanOut.windows[source->peakWindow];
        const double usual = source->medianWindowSessions;
        html += QStringLiteral("<tr><td class='n'>%1</td><td class='mono'>%2</td><td>%3</td><td class='n'>%4</td>"
                               "<td class='n'>%5</td><td class='n'>%6</td><td class='n'>%7</td></tr>")
                    .arg(fixed2(source->scanScore), text(table, source->srcIp), when(window.start),
                         count(window.distinctPorts), count(window.distinctHosts),
                         count(window.failed) + QStringLiteral(" / ") + count(window.sessions),
                         usual > 0.0 ? QStringLiteral("%1 ×").arg(static_cast<double>(window.sessions) / usual, 0, 'f', 1)
                                     : QString());
    }
    return html + QStringLiteral("</table>");
}

} // namespace

QString behaviourSectionHtml(const BehaviourResult& behaviour, const TrafficTable& table, std::size_t shown)
{
    const BeaconResult& beacons = behaviour.beacons;
    const FanOutResult& fanOut = behaviour.fanOut;
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Behaviour over time"));
    html += QStringLiteral("<p>%1</p>")
                .arg(tr("What no single row shows: %1 source → destination pairs of %2 or more sessions scored for "
                        "beaconing (timing, sizes and coverage, each 0 to 1), and %3 sources counted in windows of "
                        "%4 for scanning (distinct ports or hosts, failed sessions).")
                         .arg(count(beacons.pairs.size()), count(beacons.params.minSessions),
                              count(fanOut.sources.size()), esc(spokenDuration(fanOut.params.windowSeconds))));
    if (!fanOut.failedColumns.empty()) {
        QStringList columns;
        for (const std::string& column : fanOut.failedColumns)
            columns << esc(column);
        html += QStringLiteral("<p class='note'>%1</p>")
                    .arg(tr("Failed sessions counted from: %1.").arg(columns.join(QStringLiteral(", "))));
    }
    html += beaconTable(beacons, table, shown);
    html += scanTable(fanOut, table, shown);
    return html;
}

} // namespace webthreat
