#include "core/model/sqlexport.h"

#include "core/table/traffictable.h"
#include "core/util/errors.h"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace webthreat {

namespace {

constexpr SqlDialect kDialects[]
    = {SqlDialect::Ansi, SqlDialect::Athena, SqlDialect::Spark, SqlDialect::DuckDb, SqlDialect::Sqlite};

// A double as the shortest decimal that reads back as the same double, always with an exponent:
// 1.5e0 is a DOUBLE in every dialect, where 1.5 would be a DECIMAL in Trino and Spark.
std::string shortestDouble(double value)
{
    char text[40];
    for (int digits = 15; digits <= 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, value);
        if (std::strtod(text, nullptr) == value)
            break;
    }
    std::string literal(text);
    if (literal.find('e') == std::string::npos)
        literal += "e0";
    return literal;
}

std::string doubleLiteral(double value)
{
    return value < 0 ? "(" + shortestDouble(value) + ")" : shortestDouble(value);
}

std::string textLiteral(std::string_view text)
{
    std::string literal = "'";
    for (char c : text) {
        if (c == '\'')
            literal += '\'';
        literal += c;
    }
    return literal + "'";
}

bool isIdentifier(std::string_view part) noexcept
{
    if (part.empty() || part.size() > 128 || (std::isdigit(static_cast<unsigned char>(part.front())) != 0))
        return false;
    return std::all_of(part.begin(), part.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::vector<std::string_view> splitName(std::string_view name)
{
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t dot = name.find('.', start);
        parts.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos)
            return parts;
        start = dot + 1;
    }
}

struct NodeRow {
    std::size_t tree = 0;
    std::size_t node = 0;
    int feature = -1; // -1 for a leaf
    double bound = 0.0; // a row goes right when its input is above this
    std::size_t left = 0;
    double pathLength = 0.0; // leaves only
};

// The double that a strict comparison needs: x > bound agrees with float(x) > threshold.
double strictBound(float threshold)
{
    const SqlSplitBound split = splitBound(threshold);
    return split.inclusive ? std::nextafter(split.bound, -std::numeric_limits<double>::infinity()) : split.bound;
}

std::vector<NodeRow> nodeRows(const DetectorModel& model)
{
    std::vector<NodeRow> rows;
    const auto& trees = model.forest->trees();
    for (std::size_t t = 0; t < trees.size(); ++t) {
        const IsolationForest::Tree& tree = trees[t];
        for (std::size_t n = 0; n < tree.nodes.size(); ++n) {
            const auto& node = tree.nodes[n];
            NodeRow row;
            row.tree = t;
            row.node = n;
            row.left = node.left;
            if (node.left == n) {
                row.pathLength = tree.pathLength[n];
            } else {
                row.feature = node.feature;
                row.bound = strictBound(node.threshold);
            }
            rows.push_back(row);
        }
    }
    return rows;
}

std::string nodeValues(const NodeRow& row, const char* separator, bool sql)
{
    const auto number = sql ? doubleLiteral : shortestDouble;
    return std::to_string(row.tree) + separator + std::to_string(row.node) + separator + std::to_string(row.feature)
        + separator + number(row.bound) + separator + std::to_string(row.left) + separator + number(row.pathLength);
}

// Writes the query for one model and dialect. Internal columns are named wt_*.
class SqlWriter {
public:
    SqlWriter(const DetectorModel& model, const SqlExportParams& params)
        : m_model(model)
        , m_params(params)
        , m_dialect(params.dialect)
    {
    }

    std::string query(SqlForestForm form) const;
    std::string header(SqlForestForm form, std::size_t bytes) const;

private:
    std::string quote(std::string_view name) const
    {
        const char mark = m_dialect == SqlDialect::Spark ? '`' : '"';
        std::string quoted(1, mark);
        for (char c : name) {
            if (c == mark)
                quoted += mark;
            quoted += c;
        }
        return quoted + mark;
    }
    std::string columnName(Field field) const
    {
        std::string name(fieldInfo(field).name);
        if (m_params.underscoreColumns)
            std::replace(name.begin(), name.end(), '.', '_');
        return name;
    }
    std::string column(Field field) const { return "t." + quote(columnName(field)); }
    std::string textType() const
    {
        switch (m_dialect) {
        case SqlDialect::Spark:
            return "STRING";
        case SqlDialect::Sqlite:
            return "TEXT";
        case SqlDialect::Ansi:
            return "VARCHAR(256)";
        default:
            return "VARCHAR";
        }
    }
    std::string asText(const std::string& expression) const { return "CAST(" + expression + " AS " + textType() + ")"; }
    std::string asDouble(const std::string& expression) const
    {
        return "CAST(" + expression
            + (m_dialect == SqlDialect::Sqlite     ? " AS REAL)"
                   : m_dialect == SqlDialect::Ansi ? " AS DOUBLE PRECISION)"
                                                   : " AS DOUBLE)");
    }
    std::string halfOf(const std::string& expression) const
    {
        if (m_dialect == SqlDialect::Spark)
            return "(" + expression + ") DIV 2";
        if (m_dialect == SqlDialect::DuckDb)
            return "(" + expression + ") // 2";
        return "(" + expression + ") / 2";
    }
    // Blanks and tabs stripped from both ends, as the readers do (a real tab in the literal: no
    // dialect's escapes are needed).
    std::string trimmed(const std::string& expression) const
    {
        if (m_dialect == SqlDialect::Sqlite || m_dialect == SqlDialect::DuckDb)
            return "TRIM(" + expression + ", ' \t')";
        return "TRIM(BOTH ' \t' FROM " + expression + ")";
    }
    // Whether the whole of text matches pattern (a regular expression in the common subset of
    // POSIX, Java and RE2: no backslashes, no anchors, '.' only inside brackets). In ANSI SQL the
    // pattern is SIMILAR TO's, with escape as its escape character when given.
    std::string matches(const std::string& text, const std::string& pattern, const char* escape = nullptr) const
    {
        switch (m_dialect) {
        case SqlDialect::Ansi:
            return text + " SIMILAR TO " + textLiteral(pattern)
                + (escape ? " ESCAPE '" + std::string(escape) + "'" : "");
        case SqlDialect::Athena:
            return "REGEXP_LIKE(" + text + ", " + textLiteral("^" + pattern + "$") + ")";
        case SqlDialect::Spark:
            return text + " RLIKE " + textLiteral("^" + pattern + "$");
        case SqlDialect::DuckDb:
            return "REGEXP_MATCHES(" + text + ", " + textLiteral("^" + pattern + "$") + ")";
        case SqlDialect::Sqlite:
            return text + " REGEXP " + textLiteral("^" + pattern + "$");
        }
        return {};
    }
    // A whole number read from a cell that may be text; an empty or non-numeric cell is NULL.
    std::string integerOf(Field field) const;
    // Microseconds since 1970 of an ISO-8601 cell; NULL when it does not parse.
    std::string instantOf(Field field) const;
    std::string privateAddress(const std::string& address) const;
    std::string rawFeature(const FeatureEncoding& encoding) const;
    std::string scaled(const FeatureEncoding& encoding, const std::string& raw) const;
    std::string treeCase(const IsolationForest::Tree& tree, std::size_t node) const;
    std::string nodesTable() const;
    bool needsMedian() const;
    std::string inputs() const;
    std::string outputColumns(const std::string& from) const;

    const DetectorModel& m_model;
    const SqlExportParams& m_params;
    SqlDialect m_dialect;
};

// As the CSV reader reads a whole number: blanks and tabs around, an optional '+', an optional
// fraction of zeros ("5602.0", as pandas writes integer columns with gaps, and as a double column
// of a Parquet file reads as text), from 0 to the column's maximum; anything else is missing.
std::string SqlWriter::integerOf(Field field) const
{
    const std::string text = trimmed(asText(column(field)));
    const std::string maximum = field == Field::DstPort ? "65535" : field == Field::ResponseCode ? "999" : "";
    std::string value;
    std::string valid;
    if (m_dialect == SqlDialect::Sqlite) {
        // CAST('12abc' AS INTEGER) is 12 in SQLite: the text is checked with GLOB (REGEXP is the
        // shell's, not every SQLite's) and its whole part cast.
        const std::string digits
            = "CASE WHEN " + text + " GLOB '+*' THEN SUBSTR(" + text + ", 2) ELSE " + text + " END";
        const std::string dot = "INSTR(" + digits + ", '.')";
        const std::string whole
            = "CASE WHEN " + dot + " > 0 THEN SUBSTR(" + digits + ", 1, " + dot + " - 1) ELSE " + digits + " END";
        valid = whole + " GLOB '[0-9]*' AND " + whole + " NOT GLOB '*[^0-9]*' AND LENGTH(" + whole + ") <= 18 AND ("
            + dot + " = 0 OR SUBSTR(" + digits + ", " + dot + " + 1) NOT GLOB '*[^0]*')";
        value = "CAST(" + whole + " AS INTEGER)";
    } else {
        valid = matches(text, "[+]?[0-9]{1,18}([.]0*)?");
        value = "CAST(" + asDouble(text) + " AS BIGINT)";
    }
    const std::string inRange
        = maximum.empty() ? value : "CASE WHEN " + value + " <= " + maximum + " THEN " + value + " END";
    return "CASE WHEN " + valid + " THEN " + inRange + " END";
}

std::string SqlWriter::instantOf(Field field) const
{
    const std::string text = trimmed(asText(column(field)));
    switch (m_dialect) {
    case SqlDialect::Sqlite: {
        // strftime('%s') gives whole seconds; the fraction's digits are read from the text, so
        // microseconds are exact (SQLite's own clock keeps milliseconds only).
        const std::string fraction = "SUBSTR(" + text + ", INSTR(" + text + ", '.') + 1)";
        const std::string digits
            = "SUBSTR(" + fraction + ", 1, LENGTH(" + fraction + ") - LENGTH(LTRIM(" + fraction + ", '0123456789')))";
        return "CASE WHEN STRFTIME('%s', " + text + ") IS NOT NULL THEN CAST(STRFTIME('%s', " + text
            + ") AS INTEGER) * 1000000 + CASE WHEN INSTR(" + text + ", '.') > 0 THEN CAST(SUBSTR(" + digits
            + " || '000000', 1, 6) AS INTEGER) ELSE 0 END END";
    }
    case SqlDialect::Athena:
        // Trino's ISO-8601 timestamps keep milliseconds.
        return "CAST(ROUND(TO_UNIXTIME(TRY(FROM_ISO8601_TIMESTAMP(REPLACE(" + text
            + ", ' ', 'T')))) * 1e3) AS BIGINT) * 1000";
    case SqlDialect::Spark:
        return "UNIX_MICROS(CAST(" + text + " AS TIMESTAMP))";
    case SqlDialect::DuckDb:
        return "EPOCH_US(TRY_CAST(" + text + " AS TIMESTAMPTZ))";
    case SqlDialect::Ansi:
        return "CAST(ROUND(EXTRACT(EPOCH FROM CAST(NULLIF(" + text
            + ", '') AS TIMESTAMP WITH TIME ZONE)) * 1e6) AS BIGINT)";
    }
    return {};
}

// isPrivateAddress as one pattern: an IPv4 dotted quad (one to three digits an octet, at most
// 255) in 10/8, 127/8, 172.16/12, 192.168/16, 169.254/16, alone or IPv4-mapped; ::1; IPv6 whose
// first group is fc00::/7 or fe80::/10 (four hex digits), with an optional zone; blanks and tabs
// around. No backslashes, so no dialect's string escapes can change it.
std::string SqlWriter::privateAddress(const std::string& address) const
{
    const bool similar = m_dialect == SqlDialect::Ansi;
    const std::string any = similar ? "%" : ".*";
    const std::string octet = "([01]?[0-9]?[0-9]|2[0-4][0-9]|25[0-5])";
    const std::string dot = "[.]";
    const std::string tail2 = dot + octet + dot + octet;
    const std::string ipv4 = "(0?10" + dot + octet + tail2 + "|127" + dot + octet + tail2 + "|172" + dot
        + "0?(1[6-9]|2[0-9]|3[01])" + tail2 + "|192" + dot + "168" + tail2 + "|169" + dot + "254" + tail2 + ")";
    const std::string noDot = similar ? "[^.]*" : "[^.%]*";
    const std::string ipv6 = "(::1|0:0:0:0:0:0:0:1|[fF][cCdD][0-9a-fA-F][0-9a-fA-F]:" + noDot
        + "|[fF][eE][89abAB][0-9a-fA-F]:" + noDot + "|(::ffff:|::FFFF:|0:0:0:0:0:ffff:)" + ipv4 + ")";
    const std::string zone = similar ? "(!%" + any + ")?" : "(%" + any + ")?";
    const std::string blanks = "[ \t]*";
    return matches(address, blanks + "(" + ipv4 + "|" + ipv6 + zone + ")" + blanks, similar ? "!" : nullptr);
}

std::string SqlWriter::rawFeature(const FeatureEncoding& encoding) const
{
    const std::string fill = doubleLiteral(encoding.fill);
    const std::string bothTimes = "c.wt_creation IS NULL OR c.wt_end IS NULL";
    const std::string duration = asDouble("c.wt_end - c.wt_creation") + " / 1e6";
    switch (encoding.feature) {
    case Feature::BytesIn:
        return "COALESCE(" + asDouble("c.wt_bytes_in") + ", " + fill + ")";
    case Feature::BytesOut:
        return "COALESCE(" + asDouble("c.wt_bytes_out") + ", " + fill + ")";
    case Feature::SessionDuration:
        return "CASE WHEN " + bothTimes + " THEN " + fill + " ELSE " + duration + " END";
    case Feature::AvgPacketSize:
        return "CASE WHEN " + bothTimes + " OR c.wt_bytes_in IS NULL OR c.wt_bytes_out IS NULL THEN " + fill
            + " WHEN c.wt_end = c.wt_creation THEN 0e0 ELSE (" + asDouble("c.wt_bytes_in") + " + "
            + asDouble("c.wt_bytes_out") + ") / (" + duration + ") END";
    case Feature::DstPortFrequency:
    case Feature::ResponseCodeFrequency: {
        const std::string value
            = encoding.feature == Feature::DstPortFrequency ? "c.wt_dst_port" : "c.wt_response_code";
        const auto missing = encoding.integerShares.find(kMissingInteger);
        std::string sql = "CASE WHEN " + value + " IS NULL THEN "
            + doubleLiteral(missing == encoding.integerShares.end() ? FeatureEncoding::unseenShare : missing->second)
            + " ELSE CASE " + value;
        for (const auto& [key, share] : encoding.integerShares) {
            if (key != kMissingInteger)
                sql += " WHEN " + std::to_string(key) + " THEN " + doubleLiteral(share);
        }
        return sql + " ELSE " + doubleLiteral(FeatureEncoding::unseenShare) + " END END";
    }
    case Feature::ProtocolFrequency:
    case Feature::CountryFrequency: {
        const std::string value = encoding.feature == Feature::ProtocolFrequency ? "c.wt_protocol" : "c.wt_country";
        const auto missing = encoding.textShares.find(std::string());
        std::string sql = "CASE WHEN " + value + " IS NULL THEN "
            + doubleLiteral(missing == encoding.textShares.end() ? FeatureEncoding::unseenShare : missing->second)
            + " ELSE CASE " + value;
        for (const auto& [key, share] : encoding.textShares) {
            if (!key.empty())
                sql += " WHEN " + textLiteral(key) + " THEN " + doubleLiteral(share);
        }
        return sql + " ELSE " + doubleLiteral(FeatureEncoding::unseenShare) + " END END";
    }
    case Feature::SrcIpPrivate:
        return "CASE WHEN " + privateAddress("c.wt_src_ip") + " THEN 1e0 ELSE 0e0 END";
    case Feature::SourceSessions:
        return asDouble("COUNT(*) OVER (PARTITION BY c.wt_src_ip)");
    case Feature::SourceTotalBytes:
        return asDouble(
            "SUM(COALESCE(c.wt_bytes_in, 0) + COALESCE(c.wt_bytes_out, 0)) OVER (PARTITION BY c.wt_src_ip)");
    case Feature::PairBeaconScore: // refused by exportModelSql
    case Feature::SourceFanOut:
    case Feature::SourceVolumeRatio:
        break;
    case Feature::SourceAsnFrequency:
    case Feature::CountryMismatch:
    case Feature::SourceNetworkFlagged:
        break; // refused by exportModelSql: the database has no SQL form
    }
    return {};
}

std::string SqlWriter::scaled(const FeatureEncoding& encoding, const std::string& raw) const
{
    if (encoding.scale != FeatureScale::Log1p)
        return raw;
    // sign(x) * ln(1 + |x|), as scaleFeatureValue; Spark has log1p itself.
    if (m_dialect == SqlDialect::Spark)
        return "CASE WHEN " + raw + " < 0 THEN -LOG1P(-" + raw + ") ELSE LOG1P(" + raw + ") END";
    return "CASE WHEN " + raw + " < 0 THEN -LN(1e0 - " + raw + ") ELSE LN(1e0 + " + raw + ") END";
}

bool SqlWriter::needsMedian() const
{
    return std::any_of(m_model.encodings.begin(), m_model.encodings.end(), [](const FeatureEncoding& encoding) {
        return encoding.feature == Feature::BytesIn || encoding.feature == Feature::AvgPacketSize
            || encoding.feature == Feature::SourceTotalBytes;
    });
}

// The CTEs that read the table and compute each forest input, as wt_x<column> of wt_scaled.
std::string SqlWriter::inputs() const
{
    std::string sql = "wt_input AS (\n  SELECT t.*,\n    " + integerOf(Field::BytesIn) + " AS wt_bytes_in_read,\n    "
        + integerOf(Field::BytesOut) + " AS wt_bytes_out,\n    " + instantOf(Field::CreationTime)
        + " AS wt_creation,\n    " + instantOf(Field::EndTime) + " AS wt_end,\n    " + integerOf(Field::DstPort)
        + " AS wt_dst_port,\n    " + integerOf(Field::ResponseCode) + " AS wt_response_code,\n    NULLIF("
        + trimmed(asText(column(Field::Protocol))) + ", '') AS wt_protocol,\n    UPPER(NULLIF("
        + trimmed(asText(column(Field::SrcIpCountryCode))) + ", '')) AS wt_country,\n    NULLIF("
        + trimmed(asText(column(Field::SrcIp))) + ", '') AS wt_src_ip\n  FROM " + m_params.table + " t\n),\n";
    // Cleaning fills a missing bytes_in with the median of the file's present values, rounded.
    if (needsMedian()) {
        // Counted per distinct value first, so the ordered window runs over values, not rows (an
        // engine sorts a window without PARTITION BY on one node). The median's ranks, 1-based, are
        // (n + 1) / 2 and n / 2 + 1: one value for odd n, the middle two for even n. Rounded half
        // away from zero as llround, which ROUND is not everywhere (PostgreSQL rounds a double's
        // halves to even).
        const std::string first = halfOf("wt_count + 1");
        const std::string second = halfOf("wt_count") + " + 1";
        const std::string average = "AVG(" + asDouble("wt_value") + ")";
        sql += "wt_bytes_in_values AS (\n  SELECT wt_bytes_in_read AS wt_value, COUNT(*) AS wt_n\n  FROM wt_input "
               "WHERE wt_bytes_in_read IS NOT NULL GROUP BY wt_bytes_in_read\n),\nwt_bytes_in_ranked AS (\n  SELECT "
               "wt_value, wt_n, CAST(SUM(wt_n) OVER (ORDER BY wt_value ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT "
               "ROW) AS BIGINT) AS wt_upto, CAST(SUM(wt_n) OVER () AS BIGINT) AS wt_count\n  FROM "
               "wt_bytes_in_values\n),\nwt_bytes_in_median AS (\n  SELECT CAST(CASE WHEN "
            + average + " < 0 THEN -FLOOR(0.5e0 - " + average + ") ELSE FLOOR(" + average
            + " + 0.5e0) END AS BIGINT) AS wt_median\n  FROM wt_bytes_in_ranked\n  WHERE (wt_upto - wt_n < " + first
            + " AND wt_upto >= " + first + ") OR (wt_upto - wt_n < " + second + " AND wt_upto >= " + second + ")\n),\n";
        sql += "wt_clean AS (\n  SELECT i.*, COALESCE(i.wt_bytes_in_read, m.wt_median) AS wt_bytes_in\n  FROM "
               "wt_input i CROSS JOIN wt_bytes_in_median m\n),\n";
    } else {
        sql += "wt_clean AS (\n  SELECT i.*, i.wt_bytes_in_read AS wt_bytes_in FROM wt_input i\n),\n";
    }
    sql += "wt_raw AS (\n  SELECT c.*";
    for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
        sql += ",\n    -- " + std::string(featureInfo(m_model.encodings[i].feature).name) + "\n    "
            + rawFeature(m_model.encodings[i]) + " AS wt_r" + std::to_string(i);
    // Each input is read by many splits: SQLite and DuckDB would otherwise inline its expression
    // (timestamp parsing, logarithms) into every one of them; MATERIALIZED computes it once a row.
    const bool materialize = m_dialect == SqlDialect::Sqlite || m_dialect == SqlDialect::DuckDb;
    sql += "\n  FROM wt_clean c\n),\nwt_scaled AS " + std::string(materialize ? "MATERIALIZED " : "")
        + "(\n  SELECT r.*";
    for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
        sql += ",\n    " + scaled(m_model.encodings[i], "r.wt_r" + std::to_string(i)) + " AS wt_x" + std::to_string(i);
    return sql + "\n  FROM wt_raw r\n)";
}

std::string SqlWriter::treeCase(const IsolationForest::Tree& tree, std::size_t node) const
{
    const IsolationForest::Tree::Node& at = tree.nodes[node];
    if (at.left == node)
        return doubleLiteral(tree.pathLength[node]);
    const double bound = strictBound(at.threshold);
    return "CASE WHEN wt_x" + std::to_string(at.feature) + " > " + doubleLiteral(bound) + " THEN "
        + treeCase(tree, at.left + 1u) + " ELSE " + treeCase(tree, at.left) + " END";
}

// Every node: (tree, node, feature or -1 for a leaf, bound, left child, path length); a row goes
// to left + 1 when its feature is above bound, and stays on a leaf.
std::string SqlWriter::nodesTable() const
{
    if (!m_params.nodesTable.empty()) {
        const std::string integer = m_dialect == SqlDialect::Sqlite ? "INTEGER" : "BIGINT";
        return "wt_nodes AS (\n  SELECT CAST(tree AS " + integer + ") AS wt_tree, CAST(node AS " + integer
            + ") AS wt_node, CAST(feature AS " + integer + ") AS wt_feature, " + asDouble("bound")
            + " AS wt_bound, CAST(left_child AS " + integer + ") AS wt_left, " + asDouble("path_length")
            + " AS wt_path\n  FROM " + m_params.nodesTable + "\n)";
    }
    std::string rows;
    for (const NodeRow& row : nodeRows(m_model))
        rows += (rows.empty() ? "\n    (" : ",\n    (") + nodeValues(row, ", ", true) + ")";
    if (m_dialect == SqlDialect::Sqlite)
        return "wt_nodes AS (\n  SELECT column1 AS wt_tree, column2 AS wt_node, column3 AS wt_feature, column4 AS "
               "wt_bound, column5 AS wt_left, column6 AS wt_path FROM (VALUES"
            + rows + ")\n)";
    if (m_dialect == SqlDialect::Spark) // Spark's inline table takes no parentheses
        return "wt_nodes AS (\n  SELECT * FROM VALUES" + rows
            + "\n    AS wt_v (wt_tree, wt_node, wt_feature, wt_bound, wt_left, wt_path)\n)";
    return "wt_nodes AS (\n  SELECT * FROM (VALUES" + rows
        + ") AS wt_v (wt_tree, wt_node, wt_feature, wt_bound, wt_left, wt_path)\n)";
}

std::string SqlWriter::outputColumns(const std::string& from) const
{
    std::string sql;
    for (const Field field : allFields())
        sql += from + "." + quote(columnName(field)) + ", ";
    for (const std::string& extra : m_params.extraColumns)
        sql += from + "." + quote(extra) + ", ";
    return sql;
}

std::string SqlWriter::query(SqlForestForm form) const
{
    const auto& trees = m_model.forest->trees();
    const double denominator
        = static_cast<double>(trees.size()) * IsolationForest::averagePathLength(m_model.forest->maxSamples());
    const std::string limit = doubleLiteral(suspiciousPathSumLimit(denominator, m_model.threshold));
    std::string sql = "WITH\n" + inputs() + ",\n";
    std::string vector; // the forest inputs, as a join key
    for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
        vector += (i ? ", " : "") + std::string("wt_x") + std::to_string(i);
    if (form == SqlForestForm::Case) {
        // Summed left to right, in tree order, as the product sums: the same double.
        sql += "wt_paths AS (\n  SELECT s.*,\n";
        for (std::size_t t = 0; t < trees.size(); ++t)
            sql += std::string(t == 0 ? "    " : "    + ") + treeCase(trees[t], 0) + "\n";
        sql += "    AS wt_path_sum\n  FROM wt_scaled s\n)\n";
    } else {
        int depth = 0;
        for (const auto& tree : trees)
            depth = std::max(depth, tree.depth);
        sql += nodesTable() + ",\n";
        // Each distinct input vector walks every tree, one join per level.
        sql += "wt_walk0 AS (\n  SELECT d.*, n.wt_tree, 0 AS wt_at\n  FROM (SELECT DISTINCT " + vector
            + " FROM wt_scaled) d\n  CROSS JOIN (SELECT wt_tree FROM wt_nodes WHERE wt_node = 0) n\n),\n";
        std::string pick = "CASE n.wt_feature";
        for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
            pick += " WHEN " + std::to_string(i) + " THEN w.wt_x" + std::to_string(i);
        pick += " END";
        std::string carried;
        for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
            carried += "w.wt_x" + std::to_string(i) + ", ";
        for (int level = 1; level <= depth; ++level) {
            sql += "wt_walk" + std::to_string(level) + " AS (\n  SELECT " + carried
                + "w.wt_tree,\n    CASE WHEN n.wt_feature < 0 THEN w.wt_at WHEN " + pick
                + " > n.wt_bound THEN n.wt_left + 1 ELSE n.wt_left END AS wt_at\n  FROM wt_walk"
                + std::to_string(level - 1)
                + " w JOIN wt_nodes n ON n.wt_tree = w.wt_tree AND n.wt_node = w.wt_at\n),\n";
        }
        sql += "wt_sums AS (\n  SELECT " + carried + "SUM(n.wt_path) AS wt_path_sum\n  FROM wt_walk"
            + std::to_string(depth) + " w JOIN wt_nodes n ON n.wt_tree = w.wt_tree AND n.wt_node = w.wt_at\n  GROUP BY "
            + carried.substr(0, carried.size() - 2) + "\n),\n";
        std::string on;
        for (std::size_t i = 0; i < m_model.encodings.size(); ++i)
            on += (i ? " AND " : "") + std::string("p.wt_x") + std::to_string(i) + " = s.wt_x" + std::to_string(i);
        sql += "wt_paths AS (\n  SELECT s.*, p.wt_path_sum\n  FROM wt_scaled s JOIN wt_sums p ON " + on + "\n)\n";
    }
    sql += "SELECT " + outputColumns("p") + "\n  -POWER(2e0, -(p.wt_path_sum / " + doubleLiteral(denominator)
        + ")) AS anomaly_score,\n  (p.wt_path_sum <= " + limit + ") AS is_suspicious\nFROM wt_paths p;\n";
    return sql;
}

std::string SqlWriter::header(SqlForestForm form, std::size_t bytes) const
{
    const ModelOrigin& origin = m_model.origin;
    std::string features;
    for (const FeatureEncoding& encoding : m_model.encodings)
        features += (features.empty() ? "" : ", ") + std::string(featureInfo(encoding.feature).name)
            + (encoding.scale == FeatureScale::Log1p ? " (log1p)" : "");
    char threshold[64];
    std::snprintf(threshold, sizeof threshold, "%.17g", m_model.threshold);
    std::string text = "-- webthreat anomaly scoring query (" + std::string(sqlDialectName(m_dialect)) + " dialect)\n";
    // Names come from the model file and the command line: a line break in one must not end the comment.
    const auto said = [](const std::string& value, const char* otherwise) {
        std::string line = value.empty() ? std::string(otherwise) : value;
        std::replace_if(
            line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        return line;
    };
    text += "-- Model: " + said(m_params.modelFile, "(not from a file)") + "\n--   trained on "
        + said(origin.file, "(unknown)") + ", " + std::to_string(origin.rows) + " rows after cleaning, sha256 "
        + said(origin.sha256, "(none)") + "\n--   by " + said(origin.program, "") + " " + said(origin.version, "")
        + " at " + said(origin.created, "") + "\n";
    text += "--   " + std::to_string(m_model.forest->treeCount()) + " trees of "
        + std::to_string(m_model.forest->maxSamples()) + " samples, seed " + std::to_string(m_model.seed)
        + "; features: " + features + "\n";
    text += "--   threshold " + std::string(threshold) + " (contamination " + m_model.contamination.toString()
        + " on the training rows)\n";
    text += "-- Forest written as: "
        + std::string(form == SqlForestForm::Case ? "CASE expressions, one per tree, summed in tree order"
                          : m_params.nodesTable.empty()
                          ? "a tree table (wt_nodes, VALUES) walked by one join per level, because the CASE "
                            "form would pass Athena's 262,144-byte query limit or was asked for"
                          : "a tree table read from " + m_params.nodesTable
                              + " (the CSV of export-model --nodes-csv: tree, node, feature, bound, left_child, "
                                "path_length) walked by one join per level")
        + ". Query text: " + std::to_string(bytes) + " bytes.\n";
    text += "-- Reads " + m_params.table
        + ": the traffic schema's columns (bytes_in, bytes_out, creation_time, end_time, src_ip, "
          "src_ip_country_code, protocol, response.code, dst_port, dst_ip, ...), text or typed; an empty cell or "
          "NULL is missing; timestamps are ISO 8601.\n";
    text += "-- Returns every schema column plus anomaly_score (lower = more anomalous, in [-1, 0)) and "
            "is_suspicious (anomaly_score < threshold), as `webthreat score FILE --model` gives them within 1e-9.\n";
    text += "-- Not done here: cleaning's row filters. webthreat drops exact duplicate rows and rows without "
            "src_ip or dst_ip before scoring, which also changes the bytes_in median and per-source counts; "
            "filter those rows first for identical results (docs/scoring-at-scale.md).\n";
    if (form == SqlForestForm::Table && !m_params.nodesTable.empty()) {
        const std::string& nodes = m_params.nodesTable;
        text += "-- First load the nodes CSV (export-model --nodes-csv) as " + nodes + ": ";
        switch (m_dialect) {
        case SqlDialect::Athena:
            text += "upload it alone to s3://BUCKET/PREFIX/, then CREATE EXTERNAL TABLE " + nodes
                + " (tree int, node int, feature int, bound double, left_child int, path_length double) ROW "
                  "FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://BUCKET/PREFIX/' TBLPROPERTIES "
                  "('skip.header.line.count'='1');\n";
            break;
        case SqlDialect::Spark:
            text += "CREATE TABLE " + nodes
                + " USING csv OPTIONS (path 'NODES.csv', header 'true', inferSchema 'true');\n";
            break;
        case SqlDialect::DuckDb:
            text += "CREATE TABLE " + nodes + " AS SELECT * FROM read_csv_auto('NODES.csv');\n";
            break;
        case SqlDialect::Sqlite:
            text += "sqlite3 traffic.db '.import --csv NODES.csv " + nodes + "'\n";
            break;
        case SqlDialect::Ansi:
            text += "a table of columns tree, node, feature, left_child (integers), bound, path_length (doubles).\n";
            break;
        }
    }
    switch (m_dialect) {
    case SqlDialect::Sqlite:
        text += "-- Run: sqlite3 traffic.db '.import --csv traffic.csv " + m_params.table
            + "' && sqlite3 -csv -header traffic.db < this.sql (needs sqlite3 3.38+ with math functions; REGEXP "
              "is the sqlite3 shell's).\n";
        break;
    case SqlDialect::Athena:
        text += "-- Run: aws athena start-query-execution --query-string file://this.sql --work-group primary "
                "(Athena engine 3; timestamps to the millisecond).\n";
        break;
    case SqlDialect::Spark:
        text += "-- Run: spark-sql -f this.sql, or spark.sql(open('this.sql').read().rstrip(';\\n')) in PySpark.\n";
        break;
    case SqlDialect::DuckDb:
        text += "-- Run: duckdb traffic.duckdb < this.sql (CREATE VIEW " + m_params.table
            + " AS SELECT * FROM read_parquet('...') first).\n";
        break;
    case SqlDialect::Ansi:
        text += "-- Run in any engine with window functions, LN, POWER and SIMILAR TO (PostgreSQL's reading of "
                "EXTRACT(EPOCH ...) for timestamps).\n";
        break;
    }
    return text;
}

} // namespace

void SqlExportParams::validate() const
{
    const std::vector<std::string_view> parts = splitName(table);
    if (table.empty() || parts.size() > 3 || !std::all_of(parts.begin(), parts.end(), isIdentifier))
        throw ParameterError("table name '" + table
                             + "' is not an identifier: use letters, digits and _ (not first), as name, schema.name "
                               "or catalog.schema.name");
    const std::vector<std::string_view> nodeParts = splitName(nodesTable);
    if (!nodesTable.empty() && (nodeParts.size() > 3 || !std::all_of(nodeParts.begin(), nodeParts.end(), isIdentifier)))
        throw ParameterError("nodes table name '" + nodesTable
                             + "' is not an identifier: use letters, digits and _ (not first), as name, schema.name "
                               "or catalog.schema.name");
    for (const std::string& extra : extraColumns) {
        if (extra.empty() || extra.find('\n') != std::string::npos)
            throw ParameterError("extra column name '" + extra + "' is empty or spans lines");
    }
    if (dialect > SqlDialect::Sqlite)
        throw ParameterError("unknown SQL dialect");
}

std::string_view sqlDialectName(SqlDialect dialect) noexcept
{
    switch (dialect) {
    case SqlDialect::Ansi:
        return "ansi";
    case SqlDialect::Athena:
        return "athena";
    case SqlDialect::Spark:
        return "spark";
    case SqlDialect::DuckDb:
        return "duckdb";
    case SqlDialect::Sqlite:
        return "sqlite";
    }
    return {};
}

SqlDialect sqlDialectByName(std::string_view name)
{
    if (name == "trino")
        return SqlDialect::Athena;
    for (SqlDialect dialect : kDialects) {
        if (sqlDialectName(dialect) == name)
            return dialect;
    }
    throw ParameterError("unknown SQL dialect '" + std::string(name)
                         + "'; the dialects are: ansi, athena (also trino), spark, duckdb, sqlite");
}

std::string_view sqlForestFormName(SqlForestForm form) noexcept
{
    switch (form) {
    case SqlForestForm::Auto:
        return "auto";
    case SqlForestForm::Case:
        return "case";
    case SqlForestForm::Table:
        return "table";
    }
    return {};
}

std::string forestNodesCsv(const DetectorModel& model)
{
    if (!model.forest || !model.forest->fitted())
        throw ParameterError("the model has no fitted forest to export");
    std::string csv = "tree,node,feature,bound,left_child,path_length\n";
    for (const NodeRow& row : nodeRows(model))
        csv += nodeValues(row, ",", false) + "\n";
    return csv;
}

SqlSplitBound splitBound(float threshold) noexcept
{
    // float(x) > t exactly when float(x) >= next, the next float up; x rounds to next or above
    // when it is past the midpoint m of t and next, or on it with next's significand even (ties
    // go to even). m has one bit more than a float, so it is exact as a double.
    const double low = threshold;
    const double high = threshold == std::numeric_limits<float>::max()
        ? std::ldexp(1.0, 128) // rounding overflows to +inf at the same midpoint
        : static_cast<double>(std::nextafter(threshold, std::numeric_limits<float>::infinity()));
    SqlSplitBound split;
    split.bound = low + (high - low) / 2.0;
    const bool nextEven = threshold == std::numeric_limits<float>::max()
        || (std::bit_cast<std::uint32_t>(std::nextafter(threshold, std::numeric_limits<float>::infinity())) & 1u) == 0;
    split.inclusive = nextEven;
    return split;
}

double suspiciousPathSumLimit(double denominator, double threshold) noexcept
{
    const auto suspicious = [&](double sum) { return -std::exp2(-(sum / denominator)) < threshold; };
    if (!suspicious(0.0))
        return -std::numeric_limits<double>::infinity();
    // The score only rises with the sum: bisect on the bit patterns of non-negative doubles.
    std::uint64_t low = 0; // suspicious
    std::uint64_t high = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity());
    if (suspicious(std::numeric_limits<double>::infinity()))
        return std::numeric_limits<double>::max();
    while (high - low > 1) {
        const std::uint64_t middle = low + (high - low) / 2;
        if (suspicious(std::bit_cast<double>(middle)))
            low = middle;
        else
            high = middle;
    }
    return std::bit_cast<double>(low);
}

std::string defaultNodesTable(const std::string& table)
{
    return table + "_forest";
}

SqlExport exportModelSql(const DetectorModel& model, const SqlExportParams& params)
{
    params.validate();
    if (!model.forest || !model.forest->fitted() || model.encodings.empty())
        throw ParameterError("the model has no fitted forest to export");
    for (const FeatureEncoding& encoding : model.encodings) {
        if (featureInfo(encoding.feature).group == FeatureGroup::Behaviour)
            throw ParameterError("the model's feature '" + std::string(featureInfo(encoding.feature).name)
                                 + "' is behaviour over time (beacon pairs and source windows over many rows), which "
                                   "has no SQL form here: export it with --onnx and compute the feature beside it, or "
                                   "save a model without behaviour features");
        if (needsEnrichment(encoding.feature))
            throw ParameterError("the model uses the feature '" + std::string(featureInfo(encoding.feature).name)
                                 + "', which comes from the IP location database and has no SQL form");
    }
    SqlExport result;
    auto write = [&](const SqlExportParams& effective) {
        const SqlWriter writer(model, effective);
        result.form = effective.form == SqlForestForm::Table || !effective.nodesTable.empty() ? SqlForestForm::Table
                                                                                              : SqlForestForm::Case;
        result.nodesTable = effective.nodesTable;
        const std::string query = writer.query(result.form);
        // The header states the whole text's size; its own digits count too.
        std::string text = writer.header(result.form, 0);
        for (int pass = 0; pass < 3; ++pass)
            text = writer.header(result.form, text.size() + query.size());
        result.sql = text + query;
    };
    write(params);
    // Past Athena's limit, the nodes go to a table of their own: inline, as VALUES, they would be
    // larger still than the CASE expressions (each node carries its tree, index and child).
    if (params.form == SqlForestForm::Auto && params.dialect == SqlDialect::Athena && params.nodesTable.empty()
        && result.sql.size() > kAthenaQueryLimit) {
        SqlExportParams separate = params;
        separate.nodesTable = defaultNodesTable(params.table);
        write(separate);
    }
    if (!result.nodesTable.empty())
        result.nodesCsv = forestNodesCsv(model);
    if (params.dialect == SqlDialect::Athena && result.sql.size() > kAthenaQueryLimit)
        result.warnings.push_back("the query is " + std::to_string(result.sql.size())
                                  + " bytes, over Athena's limit of 262,144: keep the forest's nodes in a table of "
                                    "their own (--nodes-table NAME --nodes-csv FILE, uploaded to S3)");
    return result;
}

} // namespace webthreat
