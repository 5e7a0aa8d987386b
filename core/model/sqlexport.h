#pragma once

#include "core/detect/model.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Where the exported query will run: identifier quoting, casts, timestamp and math functions.
enum class SqlDialect : std::uint8_t {
    Ansi, // standard SQL; timestamps through EXTRACT(EPOCH ...) as PostgreSQL reads it
    Athena, // Amazon Athena engine 3 / Trino
    Spark, // Spark SQL 3.x (spark-sql, PySpark, Databricks)
    DuckDb,
    Sqlite, // SQLite 3.38 or later with its math functions (Debian's sqlite3)
};

// How the forest is written into the query.
enum class SqlForestForm : std::uint8_t {
    Auto, // Case, unless the dialect is Athena and the query would pass its size limit: then Table,
    // with the nodes in a table of their own (TABLE_forest), as the VALUES would be larger still
    Case, // one nested CASE expression per tree, summed in tree order: exact sums
    Table, // the trees' nodes as a VALUES table, walked by one join per level
};

// Athena's largest query text, in bytes.
inline constexpr std::size_t kAthenaQueryLimit = 262144;

struct SqlExportParams {
    SqlDialect dialect = SqlDialect::Ansi;
    std::string table = "traffic"; // name or schema.name (catalog.schema.name), letters, digits, _
    SqlForestForm form = SqlForestForm::Auto;
    std::string modelFile; // named in the header comment
    // The table names response.code, source.meta and source.name with underscores (response_code,
    // ...), as Athena, Hive and Glue tables must: their column names allow no dots.
    bool underscoreColumns = false;
    // Columns the query passes through after the schema's sixteen (an id, a partition column):
    // the query lists its output columns, so that none of its own wt_* columns leak out.
    std::vector<std::string> extraColumns;
    // When not empty, the forest's nodes are read from this table (loaded from forestNodesCsv)
    // instead of written into the query, which then stays a few kilobytes whatever the forest:
    // the way past Athena's limit for a forest of any size. Implies the table form.
    std::string nodesTable;

    // Throws ParameterError naming what is wrong (a table name that is not an identifier).
    void validate() const;
};

struct SqlExport {
    std::string sql; // the query, with its header comment, ending in ";\n"
    SqlForestForm form = SqlForestForm::Case; // the form written (never Auto)
    // The table the query reads the forest's nodes from (params.nodesTable, or TABLE_forest when
    // Athena's limit made the choice), and its rows (forestNodesCsv); both empty otherwise.
    std::string nodesTable;
    std::string nodesCsv;
    std::vector<std::string> warnings; // e.g. over Athena's limit even as a table
};

// "ansi", "athena", "spark", "duckdb", "sqlite"; "trino" is taken as athena.
std::string_view sqlDialectName(SqlDialect dialect) noexcept;
// Throws ParameterError listing the dialects.
SqlDialect sqlDialectByName(std::string_view name);
std::string_view sqlForestFormName(SqlForestForm form) noexcept;

// One query that reads params.table (the traffic schema's columns, any of them text) and returns
// the schema's columns (and params.extraColumns) plus anomaly_score and is_suspicious, computed as scoreWithModel computes them on
// cleaned rows (see docs/scoring-at-scale.md for what it does not do: cleaning's row filters).
// Throws ParameterError for bad params.
SqlExport exportModelSql(const DetectorModel& model, const SqlExportParams& params);

// The forest's nodes as CSV for params.nodesTable: a header line, then one line per node:
// tree,node,feature,bound,left_child,path_length (feature -1 for a leaf, which keeps a row where
// it is; otherwise a row goes to left_child + 1 when its input is above bound).
std::string forestNodesCsv(const DetectorModel& model);

// For each split, the double comparison that agrees with the forest's float one: for a double x,
// float(x) > threshold exactly when x > bound, or x >= bound when inclusive. bound is the
// midpoint between threshold and the next float up, where rounding to float changes over.
struct SqlSplitBound {
    double bound = 0.0;
    bool inclusive = false;
};
SqlSplitBound splitBound(float threshold) noexcept;

// The largest sum of path lengths whose score (-2^(-sum / denominator)) is below threshold, as
// the product computes the score: a row is Suspicious exactly when its sum is at most this.
// -infinity when no sum is.
double suspiciousPathSumLimit(double denominator, double threshold) noexcept;

} // namespace webthreat
