#include "ui/rowdetailstext.h"

#include "core/context/ipenricher.h"
#include "core/table/traffictable.h"
#include "ui/displayformat.h"

#include <QObject>
#include <QStringList>

#include <cmath>

namespace webthreat::rowdetails {

namespace {

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString featureName(Feature feature)
{
    return fromView(featureInfo(feature).name);
}

// A cell as the table writes it, HTML-escaped; empty when missing.
QString cell(const TrafficTable& table, Field field, std::size_t row)
{
    if (table.column(field).isMissing(row))
        return {};
    return QString::fromStdString(table.cellText(static_cast<std::size_t>(field), row)).toHtmlEscaped();
}

} // namespace

QString featureLabel(Feature feature)
{
    if (feature == Feature::AvgPacketSize)
        return QObject::tr("%1 (bytes/s)").arg(featureName(feature));
    return featureName(feature);
}

QString standing(const FeatureExplanation& part)
{
    if (part.percentile <= 0.0 && part.above <= 0.0)
        return QObject::tr("the same on every row: it cannot separate anything here");
    // Rounded down, so only a value above every other row reads 100 %.
    const auto floorPercent = [](double share) { return formatPercent(std::floor(share * 1000.0) / 1000.0); };
    return part.percentile >= 0.5 || part.above == 0.0
        ? QObject::tr("higher than %1 of rows").arg(floorPercent(part.percentile))
        : QObject::tr("lower than %1 of rows").arg(floorPercent(part.above));
}

QString sentence(const RowExplanation& explanation)
{
    QString text = QString::fromStdString(explanation.sentence);
    if (explanation.features.empty() || explanation.features.front().credit <= 0.0)
        return text;
    const FeatureExplanation& top = explanation.features.front();
    if (top.feature != Feature::AvgPacketSize)
        return text;
    const QString named = featureName(top.feature) + QLatin1Char(' ')
        + QString::fromStdString(describeFeatureValue(top.feature, top.value));
    if (text.startsWith(named))
        text.insert(named.size(), QObject::tr(" (bytes per second)"));
    return text;
}

QString rowFacts(const TrafficTable& table, std::size_t row, const Enrichment* enrichment)
{
    QStringList lines;
    const QString time = cell(table, Field::CreationTime, row);
    if (!time.isEmpty())
        lines << QObject::tr("%1 UTC").arg(
            formatInstantShort(static_cast<double>(table.column(Field::CreationTime).integers[row]) / 1e6));
    const QString country = cell(table, Field::SrcIpCountryCode, row);
    lines << QObject::tr("%1%2 &rarr; %3")
                 .arg(cell(table, Field::SrcIp, row),
                      country.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(country),
                      cell(table, Field::DstIp, row));
    if (enrichment) {
        const std::string source = enrichment->describe(enrichment->source(table, row));
        const std::string destination = enrichment->describe(enrichment->destination(table, row));
        if (!source.empty())
            lines << QObject::tr("source: %1").arg(QString::fromStdString(source).toHtmlEscaped());
        if (!destination.empty())
            lines << QObject::tr("destination: %1").arg(QString::fromStdString(destination).toHtmlEscaped());
        if (enrichment->countryMismatch(table, row))
            lines << QObject::tr("the file's country %1 differs from the location database's")
                         .arg(cell(table, Field::SrcIpCountryCode, row));
    }
    QStringList service;
    const QString port = cell(table, Field::DstPort, row);
    if (!port.isEmpty())
        service << QObject::tr("port %1").arg(port);
    const QString protocol = cell(table, Field::Protocol, row);
    if (!protocol.isEmpty())
        service << protocol;
    if (!service.isEmpty())
        lines << service.join(QStringLiteral(", "));
    const QString rule = cell(table, Field::RuleNames, row);
    if (!rule.isEmpty())
        lines << QObject::tr("rule: %1").arg(rule);
    return lines.join(QStringLiteral("<br>"));
}

} // namespace webthreat::rowdetails
