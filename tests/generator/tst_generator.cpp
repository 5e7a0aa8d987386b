#include "core/table/traffictable.h"
#include "core/util/errors.h"
#include "generator/generator.h"

#include <QDateTime>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace webthreat;

namespace {

constexpr std::string_view expectedHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
      "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types";

// A generated row's columns: the schema's fields in core's order, then the two label columns.
constexpr std::size_t column(Field field)
{
    return static_cast<std::size_t>(field);
}
constexpr std::size_t IsAttack = kFieldCount;
constexpr std::size_t AttackKind = kFieldCount + 1;

// RFC 4180 fields of one line (without its newline), or nothing when the quoting is malformed:
// an unterminated quote, or text after a closing quote.
std::optional<std::vector<std::string>> splitCsvLine(std::string_view line)
{
    std::vector<std::string> fields;
    std::string field;
    std::size_t i = 0;
    while (true) {
        field.clear();
        if (i < line.size() && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= line.size())
                    return std::nullopt;
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            if (i < line.size() && line[i] != ',')
                return std::nullopt;
        } else {
            while (i < line.size() && line[i] != ',') {
                if (line[i] == '"')
                    return std::nullopt;
                field += line[i++];
            }
        }
        fields.push_back(field);
        if (i >= line.size())
            return fields;
        ++i; // the comma
    }
}

struct Generated {
    std::string text;
    GeneratorResult result;
};

Generated generate(const GeneratorParams& params, const Progress& progress = {})
{
    std::ostringstream out;
    Generated generated;
    generated.result = generateTraffic(out, params, progress);
    generated.text = std::move(out).str();
    return generated;
}

std::vector<std::string_view> lines(std::string_view text)
{
    std::vector<std::string_view> result;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            result.push_back(text.substr(start));
            break;
        }
        result.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return result;
}

// Parses every data row, failing the test on a malformed one.
std::vector<std::vector<std::string>> parseRows(std::string_view text, std::size_t fieldCount)
{
    std::vector<std::vector<std::string>> rows;
    const auto all = lines(text);
    for (std::size_t i = 1; i < all.size(); ++i) {
        auto fields = splitCsvLine(all[i]);
        if (!fields || fields->size() != fieldCount) {
            qWarning("line %zu is malformed: %.*s", i + 1, static_cast<int>(all[i].size()), all[i].data());
            return {};
        }
        rows.push_back(std::move(*fields));
    }
    return rows;
}

qint64 seconds(const std::string& timestamp)
{
    const QDateTime parsed = QDateTime::fromString(QString::fromStdString(timestamp), Qt::ISODate);
    return parsed.isValid() ? parsed.toSecsSinceEpoch() : -1;
}

std::uint64_t number(const std::string& text)
{
    return std::stoull(text);
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    return hash;
}

template <typename T>
T median(std::vector<T> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? T{} : values[values.size() / 2];
}

} // namespace

class TestGenerator : public QObject {
    Q_OBJECT

private slots:
    void validate_data()
    {
        QTest::addColumn<qulonglong>("rows");
        QTest::addColumn<double>("anomalyRate");
        QTest::addColumn<QString>("message"); // empty: valid

        QTest::newRow("defaults") << qulonglong(10000) << 0.02 << QString();
        QTest::newRow("one row") << qulonglong(1) << 0.02 << QString();
        QTest::newRow("most rows") << qulonglong(1'000'000'000) << 0.02 << QString();
        QTest::newRow("no anomalies") << qulonglong(100) << 0.0 << QString();
        QTest::newRow("half anomalies") << qulonglong(100) << 0.5 << QString();
        QTest::newRow("no rows") << qulonglong(0) << 0.02 << QString("rows must be at least 1");
        QTest::newRow("too many rows") << qulonglong(1'000'000'001) << 0.02
                                       << QString("rows must be at most 1000000000 (got 1000000001)");
        QTest::newRow("negative rate") << qulonglong(100) << -0.1
                                       << QString("anomalyRate must be between 0 and 0.5 (got -0.1)");
        QTest::newRow("rate above half") << qulonglong(100) << 0.6
                                         << QString("anomalyRate must be between 0 and 0.5 (got 0.6)");
        QTest::newRow("rate NaN") << qulonglong(100) << std::nan("")
                                  << QString("anomalyRate must be between 0 and 0.5 (got nan)");
    }
    void validate()
    {
        QFETCH(qulonglong, rows);
        QFETCH(double, anomalyRate);
        QFETCH(QString, message);
        GeneratorParams params;
        params.rows = rows;
        params.anomalyRate = anomalyRate;
        QString thrown;
        try {
            params.validate();
        } catch (const ParameterError& error) {
            thrown = QString::fromUtf8(error.what());
        }
        QCOMPARE(thrown, message);
        if (!message.isEmpty()) {
            // generateTraffic validates before writing anything.
            std::ostringstream out;
            QVERIFY_THROWS_EXCEPTION(ParameterError, generateTraffic(out, params));
            QVERIFY(out.str().empty());
        }
    }

    void header_data()
    {
        QTest::addColumn<bool>("label");
        QTest::addColumn<QString>("header");
        QTest::newRow("plain") << false << QString::fromLatin1(expectedHeader.data(), expectedHeader.size());
        QTest::newRow("labelled") << true
                                  << QString::fromLatin1(expectedHeader.data(), expectedHeader.size())
                + ",is_attack,attack_kind";
    }
    void header()
    {
        QFETCH(bool, label);
        QFETCH(QString, header);
        GeneratorParams params;
        params.rows = 10;
        params.label = label;
        const auto generated = generate(params);
        const auto all = lines(generated.text);
        QVERIFY(!all.empty());
        QCOMPARE(QString::fromStdString(std::string(all.front())), header);
    }

    void rowCounts_data()
    {
        QTest::addColumn<qulonglong>("rows");
        QTest::addColumn<double>("anomalyRate");
        QTest::addColumn<bool>("label");
        QTest::addColumn<qulonglong>("anomalies");

        QTest::newRow("one normal row") << qulonglong(1) << 0.0 << true << qulonglong(0);
        QTest::newRow("one anomalous row") << qulonglong(1) << 0.5 << true << qulonglong(1);
        QTest::newRow("seventeen") << qulonglong(17) << 0.2 << true << qulonglong(3);
        QTest::newRow("1000 at 2 %") << qulonglong(1000) << 0.02 << true << qulonglong(20);
        QTest::newRow("1000 unlabelled") << qulonglong(1000) << 0.02 << false << qulonglong(20);
        QTest::newRow("12345 at 5 %") << qulonglong(12345) << 0.05 << true << qulonglong(617);
        QTest::newRow("5000 at half") << qulonglong(5000) << 0.5 << true << qulonglong(2500);
        QTest::newRow("30000 clean") << qulonglong(30000) << 0.0 << true << qulonglong(0);
    }
    void rowCounts()
    {
        QFETCH(qulonglong, rows);
        QFETCH(double, anomalyRate);
        QFETCH(bool, label);
        QFETCH(qulonglong, anomalies);
        GeneratorParams params;
        params.rows = rows;
        params.anomalyRate = anomalyRate;
        params.label = label;
        const auto generated = generate(params);

        QCOMPARE(qulonglong(generated.result.rows), rows);
        QCOMPARE(qulonglong(generated.result.anomalies), anomalies);
        std::size_t byKind = 0;
        QCOMPARE(generated.result.anomaliesByKind.size(), anomalyKinds.size());
        for (const auto& kind : anomalyKinds) {
            const auto it = generated.result.anomaliesByKind.find(std::string(kind.name));
            QVERIFY(it != generated.result.anomaliesByKind.end());
            byKind += it->second;
        }
        QCOMPARE(qulonglong(byKind), anomalies);

        // LF only, and a newline after every row including the last.
        QVERIFY(generated.text.find('\r') == std::string::npos);
        QVERIFY(!generated.text.empty() && generated.text.back() == '\n');
        QCOMPARE(qulonglong(std::count(generated.text.begin(), generated.text.end(), '\n')), rows + 1);

        const auto parsed = parseRows(generated.text, label ? 18 : 16);
        QCOMPARE(qulonglong(parsed.size()), rows);
        if (!label)
            return;
        std::map<std::string, std::size_t> fileKinds;
        std::size_t attacks = 0;
        for (const auto& row : parsed) {
            QVERIFY(row[IsAttack] == "0" || row[IsAttack] == "1");
            QCOMPARE(row[IsAttack] == "1", !row[AttackKind].empty());
            if (row[IsAttack] == "1") {
                ++attacks;
                ++fileKinds[row[AttackKind]];
            }
        }
        QCOMPARE(qulonglong(attacks), anomalies);
        for (const auto& [kind, count] : fileKinds)
            QCOMPARE(count, generated.result.anomaliesByKind.at(kind));
    }

    void everyKindFromSixAnomalies()
    {
        GeneratorParams params;
        params.rows = 12;
        params.anomalyRate = 0.5;
        params.label = true;
        const auto generated = generate(params);
        QCOMPARE(generated.result.anomalies, std::size_t(6));
        for (const auto& kind : anomalyKinds)
            QCOMPARE(generated.result.anomaliesByKind.at(std::string(kind.name)), std::size_t(1));
    }

    void deterministic()
    {
        GeneratorParams params;
        params.rows = 20000;
        params.anomalyRate = 0.05;
        params.seed = 7;
        const auto first = generate(params);
        const auto second = generate(params);
        QVERIFY(first.text == second.text);
        QVERIFY(first.result.anomaliesByKind == second.result.anomaliesByKind);

        params.seed = 8;
        const auto otherSeed = generate(params);
        QVERIFY(first.text != otherSeed.text);
        QCOMPARE(lines(otherSeed.text).size(), lines(first.text).size());

        // The label columns are appended to the same traffic, not a different draw.
        params.seed = 7;
        params.label = true;
        const auto labelled = generate(params);
        const auto plainLines = lines(first.text);
        const auto labelledLines = lines(labelled.text);
        QCOMPARE(labelledLines.size(), plainLines.size());
        for (std::size_t i = 1; i < plainLines.size(); ++i) {
            QVERIFY(labelledLines[i].substr(0, plainLines[i].size()) == plainLines[i]);
            QCOMPARE(labelledLines[i][plainLines[i].size()], ',');
        }
    }

    // Pins the exact bytes for one seed, so that a compiler, maths library or CPU that changes the
    // output fails here rather than silently changing every sample and benchmark file. A deliberate
    // change to the generator updates these values.
    void goldenBytes()
    {
        GeneratorParams params;
        params.rows = 2000;
        params.anomalyRate = 0.05;
        params.label = true;
        params.seed = 42;
        const auto generated = generate(params);
        const auto all = lines(generated.text);
        QCOMPARE(all.size(), std::size_t(2001));
        QCOMPARE(std::string(all[1]),
                 std::string("16642,6779,2024-04-25T00:04:44Z,2024-04-25T00:06:06Z,52.146.33.9,CN,UDP,200,500,"
                             "10.138.0.4,Geo-Anomaly,Suspicious Network Activity,AWS_VPC_Flow,vpn_gateway,"
                             "2024-04-25T00:04:44Z,waf_rule,0,"));
        QCOMPARE(generated.text.size(), std::size_t(431159));
        QCOMPARE(fnv1a(generated.text), std::uint64_t(0x8f0be87dace3c7e9ull));
    }

    void realistic()
    {
        GeneratorParams params;
        params.rows = 20000;
        params.anomalyRate = 0.05;
        params.label = true;
        const auto generated = generate(params);
        const auto rows = parseRows(generated.text, 18);
        QCOMPARE(rows.size(), std::size_t(20000));

        // Quoting is exercised: a comma inside a rule name and an escaped quote.
        QVERIFY(generated.text.find("\"Known Bad Actor, Threat Intel Match\"") != std::string::npos);
        QVERIFY(generated.text.find("\"\"curl\"\"") != std::string::npos);

        std::set<std::string> sourceIps;
        std::set<std::string> countries;
        std::set<std::string> protocols;
        std::set<std::string> ports;
        std::set<std::string> codes;
        std::set<std::string> destinations;
        std::set<std::string> sourceNames;
        bool lowerCaseCountry = false;
        std::uint64_t minBytesIn = std::numeric_limits<std::uint64_t>::max();
        std::uint64_t maxBytesIn = 0;
        std::map<std::string, std::vector<std::uint64_t>> bytesOutByKind;
        std::map<std::string, std::vector<qint64>> durationByKind;
        std::map<int, std::size_t> rowsByHour;
        const qint64 start = seconds("2024-04-25T00:00:00Z");
        qint64 latest = start;
        qint64 largestStepBack = 0;
        std::size_t floodRows = 0;
        std::size_t floodRowsSharingSource = 0;
        const std::vector<std::string>* previous = nullptr;

        for (const auto& row : rows) {
            sourceIps.insert(row[column(Field::SrcIp)]);
            std::string country = row[column(Field::SrcIpCountryCode)];
            QCOMPARE(country.size(), std::size_t(2));
            if (std::islower(static_cast<unsigned char>(country[0])))
                lowerCaseCountry = true;
            std::transform(country.begin(), country.end(), country.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            countries.insert(country);
            protocols.insert(row[column(Field::Protocol)]);
            ports.insert(row[column(Field::DstPort)]);
            codes.insert(row[column(Field::ResponseCode)]);
            destinations.insert(row[column(Field::DstIp)]);
            sourceNames.insert(row[column(Field::SourceName)]);
            QVERIFY(row[column(Field::DstIp)].starts_with("10."));
            QCOMPARE(row[column(Field::SourceMeta)], std::string("AWS_VPC_Flow"));
            QCOMPARE(row[column(Field::Time)], row[column(Field::CreationTime)]);

            const std::uint64_t bytesIn = number(row[column(Field::BytesIn)]);
            minBytesIn = std::min(minBytesIn, bytesIn);
            maxBytesIn = std::max(maxBytesIn, bytesIn);

            QCOMPARE(row[column(Field::CreationTime)].size(), std::size_t(20));
            QCOMPARE(row[column(Field::EndTime)].size(), std::size_t(20));
            const qint64 creation = seconds(row[column(Field::CreationTime)]);
            const qint64 end = seconds(row[column(Field::EndTime)]);
            QVERIFY(creation >= start);
            QVERIFY(end >= creation);
            largestStepBack = std::max(largestStepBack, latest - creation);
            latest = std::max(latest, creation);
            ++rowsByHour[static_cast<int>(creation % 86400 / 3600)];

            const std::string kind = row[AttackKind].empty() ? "normal" : row[AttackKind];
            bytesOutByKind[kind].push_back(number(row[column(Field::BytesOut)]));
            durationByKind[kind].push_back(end - creation);
            if (kind == "flood") {
                ++floodRows;
                if (previous && (*previous)[AttackKind] == "flood"
                    && (*previous)[column(Field::SrcIp)] == row[column(Field::SrcIp)])
                    ++floodRowsSharingSource;
                QVERIFY(bytesIn <= 200);
            }
            previous = &row;
        }

        QVERIFY2(sourceIps.size() > 500, std::to_string(sourceIps.size()).c_str());
        QVERIFY(countries.size() >= 10);
        QVERIFY(lowerCaseCountry);
        QVERIFY(protocols.size() >= 4);
        QVERIFY(ports.size() >= 4);
        QVERIFY(codes.size() >= 4);
        QVERIFY(destinations.size() >= 4);
        QVERIFY(sourceNames.size() >= 2);
        QVERIFY(minBytesIn > 0);
        QVERIFY2(double(maxBytesIn) / double(minBytesIn) >= 1e4,
                 (std::to_string(minBytesIn) + " to " + std::to_string(maxBytesIn)).c_str());

        for (const auto& kind : anomalyKinds)
            QVERIFY2(bytesOutByKind.count(std::string(kind.name)) == 1, std::string(kind.name).data());

        // Normal sessions: tens of seconds to minutes, the 10-minute window the most common.
        const auto& normalDurations = durationByKind["normal"];
        std::map<qint64, std::size_t> durationCounts;
        for (const qint64 duration : normalDurations) {
            QVERIFY(duration >= 10 && duration <= 3600);
            ++durationCounts[duration];
        }
        const auto mostCommon = std::max_element(durationCounts.begin(), durationCounts.end(),
                                                 [](const auto& a, const auto& b) { return a.second < b.second; });
        QCOMPARE(mostCommon->first, qint64(600));

        // Each kind stands out where its description says.
        const auto normalBytesOut = median(bytesOutByKind["normal"]);
        const auto exfiltrationBytesOut = median(bytesOutByKind["exfiltration"]);
        QVERIFY2(exfiltrationBytesOut >= 50 * normalBytesOut,
                 (std::to_string(exfiltrationBytesOut) + " vs " + std::to_string(normalBytesOut)).c_str());
        for (const qint64 duration : durationByKind["zero_length"])
            QCOMPARE(duration, qint64(0));
        for (const qint64 duration : durationByKind["long_session"])
            QVERIFY(duration >= 3 * 3600);
        for (const qint64 duration : durationByKind["flood"])
            QVERIFY(duration >= 1 && duration <= 2);
        // Flood rows come in bursts from one source.
        QVERIFY(floodRows > 0);
        QVERIFY(floodRowsSharingSource >= floodRows * 9 / 10);

        // Diurnal, and sorted but for jitter within minutes.
        const auto [quietest, busiest] = std::minmax_element(
            rowsByHour.begin(), rowsByHour.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        QCOMPARE(rowsByHour.size(), std::size_t(24));
        QVERIFY(busiest->second >= 2 * quietest->second);
        QVERIFY2(largestStepBack <= 20 * 60, std::to_string(largestStepBack).c_str());
        QVERIFY(latest - start >= 6 * 24 * 3600);
    }

    void rarePortsAreUnusual()
    {
        GeneratorParams params;
        params.rows = 20000;
        params.anomalyRate = 0.05;
        params.label = true;
        const auto generated = generate(params);
        const auto rows = parseRows(generated.text, 18);
        std::set<std::string> normalPorts;
        for (const auto& row : rows)
            if (row[IsAttack] == "0")
                normalPorts.insert(row[column(Field::DstPort)]);
        std::size_t rare = 0;
        for (const auto& row : rows) {
            if (row[AttackKind] != "rare_port")
                continue;
            ++rare;
            QVERIFY2(normalPorts.count(row[column(Field::DstPort)]) == 0, row[column(Field::DstPort)].c_str());
        }
        QCOMPARE(rare, generated.result.anomaliesByKind.at("rare_port"));
    }

    // odd_code rows differ from normal ones only in the response code: their port, protocol,
    // destination and timing are all ones normal rows have, and no normal row has their code.
    void oddCodesDifferOnlyInTheCode()
    {
        GeneratorParams params;
        params.rows = 20000;
        params.anomalyRate = 0.05;
        params.label = true;
        const auto generated = generate(params);
        const auto rows = parseRows(generated.text, 18);
        std::set<std::string> normalPorts;
        std::set<std::string> normalProtocols;
        std::set<std::string> normalCodes;
        std::set<std::string> normalDestinations;
        for (const auto& row : rows) {
            if (row[IsAttack] != "0")
                continue;
            normalPorts.insert(row[column(Field::DstPort)]);
            normalProtocols.insert(row[column(Field::Protocol)]);
            normalCodes.insert(row[column(Field::ResponseCode)]);
            normalDestinations.insert(row[column(Field::DstIp)]);
        }
        std::size_t odd = 0;
        for (const auto& row : rows) {
            if (row[AttackKind] != "odd_code")
                continue;
            ++odd;
            QVERIFY2(normalCodes.count(row[column(Field::ResponseCode)]) == 0,
                     row[column(Field::ResponseCode)].c_str());
            QVERIFY(normalPorts.count(row[column(Field::DstPort)]) == 1);
            QVERIFY(normalProtocols.count(row[column(Field::Protocol)]) == 1);
            QVERIFY(normalDestinations.count(row[column(Field::DstIp)]) == 1);
            const qint64 duration = seconds(row[column(Field::EndTime)]) - seconds(row[column(Field::CreationTime)]);
            QVERIFY(duration >= 10 && duration <= 3600);
        }
        QCOMPARE(odd, generated.result.anomaliesByKind.at("odd_code"));
        QCOMPARE(odd, std::size_t(100)); // 10 % of the 1,000 anomalies
    }

    // The behavioural kinds (issue 21): their counts, and every other row exactly as without them.
    void behaviourKindsReplaceOnlyOrdinaryRows()
    {
        GeneratorParams params;
        params.rows = 100000;
        params.label = true;
        const auto generated = generate(params);
        const auto& byKind = generated.result.anomaliesByKind;
        QCOMPARE(byKind.size(), anomalyKinds.size() + behaviourKinds.size());
        // 1 % of the rows, split 50/30/20; the row kinds keep their 2 %, split as before.
        QCOMPARE(byKind.at("beacon"), std::size_t(500));
        QCOMPARE(byKind.at("scan"), std::size_t(300));
        QCOMPARE(byKind.at("burst"), std::size_t(200));
        QCOMPARE(byKind.at("exfiltration"), std::size_t(500));
        QCOMPARE(byKind.at("odd_code"), std::size_t(200));
        QCOMPARE(generated.result.anomalies, std::size_t(3000));
        for (const auto& kind : behaviourKinds)
            QVERIFY(generated.result.behaviourActors.at(std::string(kind.name)) >= 1);

        params.behaviourRate = 0;
        const auto without = generate(params);
        QCOMPARE(without.result.anomaliesByKind.size(), anomalyKinds.size());
        const auto with = lines(generated.text);
        const auto plain = lines(without.text);
        QCOMPARE(with.size(), plain.size());
        std::size_t replaced = 0;
        for (std::size_t i = 0; i < with.size(); ++i) {
            if (with[i] == plain[i])
                continue;
            ++replaced;
            QVERIFY2(plain[i].ends_with(",0,"), std::string(plain[i]).c_str()); // only ordinary rows give way
            QVERIFY(with[i].ends_with(",beacon") || with[i].ends_with(",scan") || with[i].ends_with(",burst"));
        }
        QCOMPARE(replaced, std::size_t(1000));
    }

    void behaviourNeedsEnoughRows()
    {
        GeneratorParams params;
        params.rows = 49999;
        QCOMPARE(generate(params).result.anomaliesByKind.size(), anomalyKinds.size());
        params.rows = 50000;
        QCOMPARE(generate(params).result.anomaliesByKind.size(), anomalyKinds.size() + behaviourKinds.size());
        params.behaviourRate = 0.3;
        QVERIFY_THROWS_EXCEPTION(ParameterError, params.validate());
    }

    // Each kind looks like its description: beacons regular in time and size, scans wide and tiny,
    // bursts from sources with ordinary traffic of their own, packed into minutes.
    void behaviourKindsLookTheirPart()
    {
        GeneratorParams params;
        params.rows = 200000;
        params.label = true;
        params.seed = 5;
        const auto generated = generate(params);
        const auto rows = parseRows(generated.text, 18);
        std::map<std::string, std::vector<const std::vector<std::string>*>> beacons; // by pair
        std::map<std::string, std::vector<const std::vector<std::string>*>> scans; // by source
        std::map<std::string, std::vector<qint64>> bursts; // starts, by source
        std::set<std::string> ordinarySources;
        for (const auto& row : rows) {
            const std::string& kind = row[AttackKind];
            const std::string& src = row[column(Field::SrcIp)];
            if (kind == "beacon")
                beacons[src + ">" + row[column(Field::DstIp)] + ":" + row[column(Field::DstPort)]].push_back(&row);
            else if (kind == "scan")
                scans[src].push_back(&row);
            else if (kind == "burst")
                bursts[src].push_back(seconds(row[column(Field::CreationTime)]));
            else if (kind.empty())
                ordinarySources.insert(src);
        }
        QCOMPARE(beacons.size(), generated.result.behaviourActors.at("beacon"));
        for (auto& [pair, sessions] : beacons) {
            QVERIFY2(sessions.size() >= 30, pair.c_str());
            std::vector<qint64> starts;
            std::vector<std::uint64_t> sizes;
            for (const auto* row : sessions) {
                starts.push_back(seconds((*row)[column(Field::CreationTime)]));
                sizes.push_back(number((*row)[column(Field::BytesIn)]));
            }
            std::sort(starts.begin(), starts.end());
            std::vector<qint64> intervals;
            for (std::size_t i = 1; i < starts.size(); ++i)
                intervals.push_back(starts[i] - starts[i - 1]);
            const qint64 beat = median(intervals);
            QVERIFY2(beat >= 50 && beat <= 4000, std::to_string(beat).c_str());
            // Nine in ten intervals within 20 % of the beat (the rest are missed beats).
            const auto onBeat = std::count_if(intervals.begin(), intervals.end(), [&](qint64 interval) {
                return std::abs(double(interval - beat)) <= 0.2 * double(beat) + 1;
            });
            QVERIFY2(onBeat * 10 >= qint64(intervals.size()) * 9, pair.c_str());
            const auto [smallest, largest] = std::minmax_element(sizes.begin(), sizes.end());
            QVERIFY2(double(*largest) <= 1.23 * double(*smallest) + 1, pair.c_str());
        }
        QCOMPARE(scans.size(), generated.result.behaviourActors.at("scan"));
        for (const auto& [src, sessions] : scans) {
            std::set<std::string> ports;
            std::set<std::string> hosts;
            for (const auto* row : sessions) {
                ports.insert((*row)[column(Field::DstPort)]);
                hosts.insert((*row)[column(Field::DstIp)]);
                QVERIFY(number((*row)[column(Field::BytesIn)]) <= 100);
                QVERIFY(seconds((*row)[column(Field::EndTime)]) - seconds((*row)[column(Field::CreationTime)]) <= 1);
            }
            QVERIFY2(std::max(ports.size(), hosts.size()) == sessions.size(), src.c_str()); // every one new
            QVERIFY(sessions.size() >= 150);
        }
        QCOMPARE(bursts.size(), generated.result.behaviourActors.at("burst"));
        for (auto& [src, starts] : bursts) {
            QVERIFY2(ordinarySources.count(src) == 1, src.c_str()); // a baseline of its own
            QVERIFY(starts.size() >= 60);
            const auto [first, last] = std::minmax_element(starts.begin(), starts.end());
            QVERIFY2(*last - *first <= qint64(starts.size()), src.c_str()); // at least a session a second
        }
    }

    void progressReports()
    {
        std::vector<double> fractions;
        bool stageNamed = true;
        const Progress progress(
            [&](std::string_view stage, double fraction) {
                stageNamed = stageNamed && stage == "generate";
                fractions.push_back(fraction);
            },
            nullptr);
        GeneratorParams params;
        params.rows = 300000;
        generate(params, progress);
        QVERIFY(stageNamed);
        QVERIFY(fractions.size() >= 3);
        QCOMPARE(fractions.front(), 0.0);
        QCOMPARE(fractions.back(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    }

    void cancelledBeforeStart()
    {
        std::atomic<bool> cancel{true};
        GeneratorParams params;
        std::ostringstream out;
        QVERIFY_THROWS_EXCEPTION(CancelledError, generateTraffic(out, params, Progress({}, &cancel)));
        QVERIFY(out.str().empty());
    }

    void cancelledWhileRunning()
    {
        std::atomic<bool> cancel{false};
        const Progress progress(
            [&](std::string_view, double fraction) {
                if (fraction > 0)
                    cancel = true;
            },
            &cancel);
        GeneratorParams params;
        params.rows = 5'000'000;
        std::ostringstream out;
        QVERIFY_THROWS_EXCEPTION(CancelledError, generateTraffic(out, params, progress));
        // Stopped within a few thousand rows of the request, not at the end.
        const std::string text = std::move(out).str();
        const auto written = std::count(text.begin(), text.end(), '\n');
        QVERIFY2(written < 200000, std::to_string(written).c_str());
    }

    void failingStream()
    {
        std::ostream out(nullptr);
        GeneratorParams params;
        params.rows = 100;
        QVERIFY_THROWS_EXCEPTION(OutputError, generateTraffic(out, params));
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
