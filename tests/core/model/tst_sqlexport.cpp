// core/model/sqlexport: a saved model as one SQL query. The proof is SQLite (Debian's sqlite3 shell)
// scoring a table imported from the CSV as text, against the product's own scores.
#include "core/model/modelfile.h"
#include "core/model/sqlexport.h"
#include "core/output/provenance.h"
#include "core/pipeline.h"
#include "core/util/errors.h"
#include "generator/generator.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

using namespace webthreat;

namespace {

// One tree over two inputs (bytes_in, log1p; dst_port_frequency): the root splits bytes_in at
// 1.5, its left child splits the port share at 0.5. maxSamples 4 allows depth 2.
std::shared_ptr<DetectorModel> tinyModel()
{
    auto model = std::make_shared<DetectorModel>();
    FeatureEncoding bytes;
    bytes.feature = Feature::BytesIn;
    bytes.scale = FeatureScale::Log1p;
    bytes.fill = 10.0;
    FeatureEncoding port;
    port.feature = Feature::DstPortFrequency;
    port.integerShares = {{80, 0.25}, {443, 0.75}};
    model->encodings = {bytes, port};
    model->training.resize(2);
    IsolationForest::Tree tree;
    constexpr float inf = std::numeric_limits<float>::infinity();
    tree.nodes = {{1.5f, 0, 1}, {0.5f, 1, 3}, {inf, 0, 2}, {inf, 0, 3}, {inf, 0, 4}};
    tree.pathLength = {0.0, 0.0, 1.0, 2.0, 2.5};
    std::vector<IsolationForest::Tree> trees{tree};
    model->forest = std::make_shared<const IsolationForest>(IsolationForest::fromTrees(std::move(trees), 4, 2));
    model->trees = 1;
    model->threshold = -0.6;
    model->origin.file = "tiny.csv";
    return model;
}

// A model fitted on random rows: big enough that its CASE form passes Athena's limit.
std::shared_ptr<DetectorModel> largeModel()
{
    auto model = tinyModel();
    FeatureMatrix data(2000, 2);
    std::mt19937_64 random(3);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (Eigen::Index i = 0; i < data.size(); ++i)
        data.data()[i] = uniform(random);
    auto forest = std::make_shared<IsolationForest>();
    IsolationForestParams params;
    params.trees = 100;
    params.threads = 1;
    forest->fit(data, params);
    model->forest = forest;
    model->trees = 100;
    return model;
}

// Empties cells of a generated file (which has no quoted fields) by row: bytes_in every 7th row
// (so the median of an even count of values may end in .5), bytes_out every 11th, creation_time
// every 13th, dst_port every 17th, response.code every 19th, protocol every 23rd, the country
// every 29th; every 5th country in lower case; the rows have their addresses and stay distinct.
std::string withHoles(const std::string& csv)
{
    std::istringstream in(csv);
    std::string line;
    std::string out;
    std::getline(in, line);
    out += line + "\n";
    for (int row = 1; std::getline(in, line); ++row) {
        std::vector<std::string> cells;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');)
            cells.push_back(cell);
        const std::pair<int, int> holes[] = {{7, 0}, {11, 1}, {13, 2}, {17, 8}, {19, 7}, {23, 6}, {29, 5}};
        for (const auto& [every, column] : holes) {
            if (row % every == 0)
                cells[static_cast<std::size_t>(column)].clear();
        }
        if (row % 5 == 0)
            for (char& c : cells[5])
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        // Numbers as the reader takes them, or refuses them (then missing).
        if (row % 31 == 0 && !cells[1].empty())
            cells[1] = " " + cells[1] + ".0\t";
        if (row % 37 == 0 && !cells[8].empty())
            cells[8] = "+" + cells[8];
        if (row % 41 == 0)
            cells[0] = "12abc";
        if (row % 43 == 0)
            cells[8] = "70000";
        if (row % 47 == 0)
            cells[7] = "2OO";
        if (row % 53 == 0 && !cells[6].empty())
            cells[6] = " " + cells[6] + "\t";
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += (i ? "," : "") + cells[i];
        out += "\n";
    }
    return out;
}

struct SqliteRun {
    std::map<long long, std::pair<double, bool>> rows; // row_id -> score, verdict
    QString error;
};

SqliteRun runSqlite(const QString& sqlite, const QString& csv, const std::string& query, const QString& directory,
                    const std::string& nodesCsv = {})
{
    SqliteRun run;
    const QString db = directory + "/traffic.db";
    QFile::remove(db);
    QProcess import;
    import.start(sqlite, {db, ".import --csv " + csv + " raw"});
    if (!import.waitForFinished(120000) || import.exitCode() != 0) {
        run.error = "import failed: " + QString::fromUtf8(import.readAllStandardError());
        return run;
    }
    if (!nodesCsv.empty()) {
        const QString nodes = directory + "/nodes.csv";
        QFile file(nodes);
        if (!file.open(QIODevice::WriteOnly)
            || file.write(nodesCsv.data(), qint64(nodesCsv.size())) != qint64(nodesCsv.size())) {
            run.error = "cannot write " + nodes;
            return run;
        }
        file.close();
        QProcess importNodes;
        importNodes.start(sqlite, {db, ".import --csv " + nodes + " forest"});
        if (!importNodes.waitForFinished(120000) || importNodes.exitCode() != 0) {
            run.error = "nodes import failed: " + QString::fromUtf8(importNodes.readAllStandardError());
            return run;
        }
    }
    std::string body = query;
    body.erase(body.find_last_of(';'));
    const std::string script = "CREATE TABLE traffic AS SELECT rowid AS row_id, * FROM raw;\n"
                               "CREATE TEMP VIEW scored AS\n"
        + body
        + ";\n"
          "SELECT row_id, printf('%.17g', anomaly_score), is_suspicious FROM scored ORDER BY row_id;\n";
    QProcess query_;
    query_.start(sqlite, {"-bail", db});
    query_.write(script.data(), static_cast<qint64>(script.size()));
    query_.closeWriteChannel();
    if (!query_.waitForFinished(600000) || query_.exitCode() != 0) {
        run.error = "query failed: " + QString::fromUtf8(query_.readAllStandardError());
        return run;
    }
    const QList<QByteArray> lines = query_.readAllStandardOutput().split('\n');
    for (const QByteArray& line : lines) {
        const QList<QByteArray> cells = line.split('|');
        if (cells.size() == 3)
            run.rows[cells[0].toLongLong()] = {cells[1].toDouble(), cells[2] == "1"};
    }
    return run;
}

} // namespace

class TestSqlExport : public QObject {
    Q_OBJECT

private slots:
    void splitBoundAgreesWithFloatComparison();
    void pathSumLimitMatchesTheScore();
    void tinyModelFragments_data();
    void tinyModelFragments();
    void formChosenBySize();
    void badParams_data();
    void badParams();
    void privateAddresses();
    void agreesWithTheProduct_data();
    void agreesWithTheProduct();
};

void TestSqlExport::splitBoundAgreesWithFloatComparison()
{
    // For doubles around each bound, x > bound (or == when inclusive) is exactly float(x) > t.
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> magnitude(-30.0, 30.0);
    std::vector<float> thresholds{0.0f,
                                  -0.0f,
                                  1.0f,
                                  -1.0f,
                                  0.5f,
                                  1.5f,
                                  3.0f,
                                  std::numeric_limits<float>::max(),
                                  std::numeric_limits<float>::denorm_min(),
                                  -std::numeric_limits<float>::max()};
    for (int i = 0; i < 2000; ++i)
        thresholds.push_back(
            static_cast<float>(std::ldexp(magnitude(random) > 0 ? 1.0 : -1.0, 0) * std::exp(magnitude(random))));
    for (float t : thresholds) {
        const SqlSplitBound split = splitBound(t);
        double x = split.bound;
        for (int step = 0; step < 4; ++step)
            x = std::nextafter(x, -std::numeric_limits<double>::infinity());
        for (int step = 0; step < 9; ++step) {
            const bool sql = x > split.bound || (split.inclusive && x == split.bound);
            const bool product = static_cast<float>(x) > t;
            QVERIFY2(sql == product,
                     qPrintable(QString("threshold %1, x %2").arg(double(t), 0, 'g', 9).arg(x, 0, 'g', 17)));
            x = std::nextafter(x, std::numeric_limits<double>::infinity());
        }
    }
}

void TestSqlExport::pathSumLimitMatchesTheScore()
{
    const double denominator = 100 * IsolationForest::averagePathLength(256);
    for (double threshold : {-0.9, -0.62501809257958274, -0.5, -0.41234567890123}) {
        const double limit = suspiciousPathSumLimit(denominator, threshold);
        QVERIFY(-std::exp2(-(limit / denominator)) < threshold);
        const double above = std::nextafter(limit, std::numeric_limits<double>::infinity());
        QVERIFY(!(-std::exp2(-(above / denominator)) < threshold));
    }
    QCOMPARE(suspiciousPathSumLimit(denominator, -1.5), -std::numeric_limits<double>::infinity());
}

void TestSqlExport::tinyModelFragments_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("quotedCode");
    QTest::addColumn<QString>("intCast");
    QTest::addColumn<QString>("timestamp");
    // Whole numbers as the reader takes them (a '+', blanks, a fraction of zeros), per dialect.
    QTest::newRow("ansi") << "ansi"
                          << "\"response.code\""
                          << "SIMILAR TO '[+]?[0-9]{1,18}([.]0*)?'"
                          << "EXTRACT(EPOCH FROM";
    QTest::newRow("athena") << "athena"
                            << "\"response.code\""
                            << "REGEXP_LIKE(TRIM(BOTH ' \t' FROM"
                            << "FROM_ISO8601_TIMESTAMP";
    QTest::newRow("trino") << "trino"
                           << "\"response.code\""
                           << "REGEXP_LIKE(TRIM(BOTH ' \t' FROM"
                           << "FROM_ISO8601_TIMESTAMP";
    QTest::newRow("spark") << "spark"
                           << "`response.code`"
                           << "RLIKE '^[+]?[0-9]{1,18}([.]0*)?$'"
                           << "UNIX_MICROS(CAST(";
    QTest::newRow("duckdb") << "duckdb"
                            << "\"response.code\""
                            << "REGEXP_MATCHES(TRIM("
                            << "EPOCH_US(TRY_CAST(";
    QTest::newRow("sqlite") << "sqlite"
                            << "\"response.code\""
                            << "NOT GLOB '*[^0]*'"
                            << "STRFTIME('%s'";
}

void TestSqlExport::tinyModelFragments()
{
    QFETCH(QString, dialect);
    QFETCH(QString, quotedCode);
    QFETCH(QString, intCast);
    QFETCH(QString, timestamp);
    SqlExportParams params;
    params.dialect = sqlDialectByName(dialect.toStdString());
    params.table = "logs.traffic";
    params.modelFile = "tiny.json";
    const SqlExport exported = exportModelSql(*tinyModel(), params);
    const QString sql = QString::fromStdString(exported.sql);
    QCOMPARE(exported.form, SqlForestForm::Case);
    QVERIFY(sql.startsWith("-- webthreat anomaly scoring query"));
    QVERIFY(sql.contains("-- Model: tiny.json"));
    QVERIFY(sql.contains("Not done here: cleaning's row filters"));
    QVERIFY(sql.contains("Query text: " + QString::number(exported.sql.size()) + " bytes"));
    QVERIFY(sql.contains(quotedCode));
    QVERIFY(sql.contains(intCast));
    QVERIFY(sql.contains(timestamp));
    QVERIFY(sql.contains("FROM logs.traffic t"));
    // The frozen encodings: shares by port, 0 for an unseen port and for a missing one (no
    // missing port in training); the fill as a DOUBLE literal.
    QVERIFY(sql.contains("WHEN 80 THEN 0.25e0 WHEN 443 THEN 0.75e0 ELSE 0e0 END"));
    QVERIFY(sql.contains("IS NULL THEN 0e0 ELSE CASE c.wt_dst_port"));
    QVERIFY(sql.contains(", 10e0)"));
    // 1.5 and 0.5 have even significands, so the next float up is odd: strict comparisons at the
    // midpoints 1.5 + 2^-24 and 0.5 + 2^-25 (half an ulp of each). The right child (left + 1) is the THEN branch.
    QVERIFY2(sql.contains("CASE WHEN wt_x0 > 1.5000000596046"), qPrintable(sql));
    QVERIFY2(sql.contains("e0 THEN 1e0 ELSE CASE WHEN wt_x1 > 0.5000000298023"), qPrintable(sql));
    QVERIFY(sql.contains("e0 THEN 2.5e0 ELSE 2e0 END END"));
    QVERIFY(sql.contains(dialect == "spark" ? "LOG1P(" : "LN(1e0 + "));
    QVERIFY(sql.contains("AS anomaly_score"));
    QVERIFY(sql.contains("AS is_suspicious"));
    QVERIFY(sql.endsWith(";\n"));
    QVERIFY(sql.contains("wt_bytes_in_median")); // cleaning's median fill

    // A line break in a name from the model file does not end the header's comment.
    auto strange = tinyModel();
    strange->origin.file = "week.csv\nDROP TABLE traffic;";
    const std::string commented = exportModelSql(*strange, params).sql;
    QVERIFY(commented.find("trained on week.csv DROP TABLE traffic;") != std::string::npos);
    QVERIFY(commented.find("\nDROP") == std::string::npos);
    // Athena and Hive tables cannot name a column response.code.
    params.underscoreColumns = true;
    const QString underscored = QString::fromStdString(exportModelSql(*tinyModel(), params).sql);
    QVERIFY(underscored.contains(QString(quotedCode).replace('.', '_')));
    QVERIFY(underscored.contains(dialect == "spark" ? "`source_meta`" : "\"source_meta\""));
    QVERIFY(!underscored.contains("t." + quotedCode));
}

void TestSqlExport::formChosenBySize()
{
    const auto model = largeModel();
    SqlExportParams params;
    params.dialect = SqlDialect::Athena;
    const SqlExport athena = exportModelSql(*model, params);
    params.dialect = SqlDialect::Ansi;
    const SqlExport ansi = exportModelSql(*model, params);
    params.form = SqlForestForm::Table;
    const SqlExport table = exportModelSql(*model, params);
    qInfo("100 trees of 256 samples: CASE form %zu bytes, table form %zu bytes", ansi.sql.size(), table.sql.size());
    QVERIFY(ansi.sql.size() > kAthenaQueryLimit);
    QCOMPARE(ansi.form, SqlForestForm::Case);
    QCOMPARE(athena.form, SqlForestForm::Table);
    QVERIFY(athena.sql.find("Forest written as: a tree table read from traffic_forest") != std::string::npos);
    QVERIFY(athena.sql.find("wt_walk8") != std::string::npos);
    QCOMPARE(athena.nodesTable, std::string("traffic_forest"));
    QCOMPARE(athena.nodesCsv, forestNodesCsv(*model));
    QVERIFY(athena.sql.size() < kAthenaQueryLimit);
    QVERIFY(athena.warnings.empty());
    QVERIFY(table.sql.find("wt_nodes AS (") != std::string::npos);
    QVERIFY(table.nodesCsv.empty());
    // Inline, the nodes are larger than the CASE form: never the way past the limit.
    QVERIFY(table.sql.size() > ansi.sql.size());
    // With the nodes in a table of their own, the query is small whatever the forest.
    params.nodesTable = "logs.forest";
    params.dialect = SqlDialect::Athena;
    const SqlExport separate = exportModelSql(*model, params);
    qInfo("with the nodes in a table: %zu bytes of query, %zu bytes of nodes CSV", separate.sql.size(),
          forestNodesCsv(*model).size());
    QCOMPARE(separate.form, SqlForestForm::Table);
    QVERIFY(separate.sql.size() < 20000);
    QVERIFY(separate.warnings.empty());
    QVERIFY(separate.sql.find("FROM logs.forest") != std::string::npos);
    QVERIFY(forestNodesCsv(*model).rfind("tree,node,feature,bound,left_child,path_length\n0,0,", 0) == 0);
    params.nodesTable.clear();
    // A small model stays in the CASE form on Athena.
    params.dialect = SqlDialect::Athena;
    params.form = SqlForestForm::Auto;
    QCOMPARE(exportModelSql(*tinyModel(), params).form, SqlForestForm::Case);
}

void TestSqlExport::badParams_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown dialect") << "oracle"
                                     << "traffic"
                                     << "unknown SQL dialect 'oracle'; the dialects are: ansi, athena (also trino), "
                                        "spark, duckdb, sqlite";
    QTest::newRow("injection") << "ansi"
                               << "traffic; DROP TABLE x"
                               << "table name 'traffic; DROP TABLE x' is not an identifier: use letters, digits and _ "
                                  "(not first), as name, schema.name or catalog.schema.name";
    QTest::newRow("empty") << "ansi"
                           << ""
                           << "table name '' is not an identifier";
    QTest::newRow("four parts") << "ansi"
                                << "a.b.c.d"
                                << "table name 'a.b.c.d' is not an identifier";
    QTest::newRow("empty part") << "ansi"
                                << "logs..traffic"
                                << "table name 'logs..traffic' is not an identifier";
    QTest::newRow("digit first") << "ansi"
                                 << "1traffic"
                                 << "table name '1traffic' is not an identifier";
    QTest::newRow("quote") << "sqlite"
                           << "tr\"affic"
                           << "table name 'tr\"affic' is not an identifier";
    QTest::newRow("nodes table") << "athena"
                                 << "traffic"
                                 << "nodes table name 'forest nodes' is not an identifier";
    QTest::newRow("behaviour feature") << "ansi"
                                       << "traffic"
                                       << "the model's feature 'source_fan_out' is behaviour over time";
}

void TestSqlExport::badParams()
{
    QFETCH(QString, dialect);
    QFETCH(QString, table);
    QFETCH(QString, message);
    try {
        SqlExportParams params;
        params.dialect = sqlDialectByName(dialect.toStdString());
        params.table = table.toStdString();
        if (message.startsWith("nodes table"))
            params.nodesTable = "forest nodes";
        auto model = tinyModel();
        if (message.startsWith("the model's feature"))
            model->encodings[1].feature = Feature::SourceFanOut;
        exportModelSql(*model, params);
        QFAIL("no error");
    } catch (const ParameterError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).startsWith(message), error.what());
    }
}

void TestSqlExport::privateAddresses()
{
    // The src_ip_private pattern, run by sqlite3, against isPrivateAddress: a model whose one
    // split is on the flag, so the path length (1 public, 2 private) tells what the SQL decided.
    const QString sqlite = QStandardPaths::findExecutable("sqlite3");
    if (sqlite.isEmpty())
        QSKIP("sqlite3 is not installed (Debian: apt-get install sqlite3); ./workbench.sh test installs it");
    const std::vector<std::string> addresses{"10.0.0.1",
                                             "010.1.2.3",
                                             "10.256.0.1",
                                             "172.15.0.1",
                                             "172.16.0.1",
                                             "172.31.255.255",
                                             "172.32.0.1",
                                             "172.016.0.1",
                                             "192.168.1.1",
                                             "192.169.1.1",
                                             "127.0.0.1",
                                             "169.254.3.4",
                                             "169.253.3.4",
                                             "8.8.8.8",
                                             " 10.0.0.1\t",
                                             "10.0.0.1%eth0",
                                             "::1",
                                             "0:0:0:0:0:0:0:1",
                                             "fe80::1",
                                             "FE80::1%eth0",
                                             "febf::1",
                                             "fec0::1",
                                             "fc00::1",
                                             "fd12:3456::1",
                                             "FDff::",
                                             "fe80::1.2.3.4",
                                             "::ffff:10.0.0.1",
                                             "::FFFF:192.168.0.1",
                                             "::ffff:8.8.8.8",
                                             "0:0:0:0:0:ffff:10.1.1.1",
                                             "::ffff:10.0.0.1%eth0",
                                             "2001:db8::1",
                                             "fc0::1",
                                             "fc000::1",
                                             "not an ip",
                                             "10.0.0",
                                             "10.0.0.1.5",
                                             "1000.0.0.1",
                                             "10.0.0.01",
                                             "10.0.0.0001",
                                             "10..0.1"};
    auto model = std::make_shared<DetectorModel>();
    FeatureEncoding flag;
    flag.feature = Feature::SrcIpPrivate;
    model->encodings = {flag};
    model->training.resize(1);
    IsolationForest::Tree tree;
    constexpr float inf = std::numeric_limits<float>::infinity();
    tree.nodes = {{0.5f, 0, 1}, {inf, 0, 1}, {inf, 0, 2}};
    tree.pathLength = {0.0, 1.0, 2.0};
    std::vector<IsolationForest::Tree> trees{tree};
    model->forest = std::make_shared<const IsolationForest>(IsolationForest::fromTrees(std::move(trees), 4, 1));
    model->threshold = -0.5;
    QTemporaryDir directory;
    QString csvText = "row,bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
                      "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types\n";
    for (std::size_t i = 0; i < addresses.size(); ++i)
        csvText += QString("%1,1,1,,,\"%2\",,,,,10.0.0.2,,,,,,\n").arg(i + 1).arg(QString::fromStdString(addresses[i]));
    const QString csv = directory.filePath("addresses.csv");
    QFile file(csv);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(csvText.toUtf8());
    file.close();
    SqlExportParams params;
    params.dialect = SqlDialect::Sqlite;
    params.extraColumns = {"row_id"};
    const SqliteRun run = runSqlite(sqlite, csv, exportModelSql(*model, params).sql, directory.path());
    QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
    QCOMPARE(run.rows.size(), addresses.size());
    const double denominator = IsolationForest::averagePathLength(4);
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        const double score = run.rows.at(static_cast<long long>(i + 1)).first;
        const bool sqlPrivate = std::fabs(score - -std::exp2(-2.0 / denominator)) < 1e-12;
        QVERIFY2(sqlPrivate || std::fabs(score - -std::exp2(-1.0 / denominator)) < 1e-12,
                 qPrintable(QString::number(score)));
        QVERIFY2(sqlPrivate == isPrivateAddress(addresses[i]),
                 qPrintable(QString("'%1': SQL says %2").arg(QString::fromStdString(addresses[i])).arg(sqlPrivate)));
    }
}

void TestSqlExport::agreesWithTheProduct_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("form");
    QTest::addColumn<bool>("nodesTable"); // the nodes in a table of their own, from forestNodesCsv
    // holes: generated rows with cells emptied (bytes, times, ports, codes, protocols, countries)
    // and countries in lower case, scored by a model of every feature: the fills, the median, the
    // missing and unseen shares, upper-casing and the per-source windows.
    QTest::addRow("holes, every feature, case") << "holes"
                                                << "every" << static_cast<int>(SqlForestForm::Case) << false;
    QTest::addRow("holes, every feature, nodes table") << "holes"
                                                       << "every" << static_cast<int>(SqlForestForm::Table) << true;
    for (const char* data : {"reference", "generated"}) {
        for (const char* preset : {"default", "notebook"}) {
            for (SqlForestForm form : {SqlForestForm::Case, SqlForestForm::Table})
                QTest::addRow("%s, %s, %s", data, preset, sqlForestFormName(form).data())
                    << data << preset << static_cast<int>(form) << false;
            QTest::addRow("%s, %s, nodes table", data, preset)
                << data << preset << static_cast<int>(SqlForestForm::Table) << true;
        }
    }
}

void TestSqlExport::agreesWithTheProduct()
{
    QFETCH(QString, data);
    QFETCH(QString, preset);
    QFETCH(int, form);
    QFETCH(bool, nodesTable);
    const QString sqlite = QStandardPaths::findExecutable("sqlite3");
    if (sqlite.isEmpty())
        QSKIP("sqlite3 is not installed (Debian: apt-get install sqlite3); ./workbench.sh test installs it");
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    QString csv = QStringLiteral(WEBTHREAT_REFERENCE_CSV);
    if (data == "reference") {
        if (!QFile::exists(csv))
            QSKIP("the reference dataset is not present");
    } else {
        csv = directory.filePath("generated.csv");
        GeneratorParams generator;
        generator.rows = data == "holes" ? 3000 : 10000;
        generator.seed = 11;
        std::ostringstream text;
        generateTraffic(text, generator);
        std::ofstream out(csv.toStdString(), std::ios::binary);
        out << (data == "holes" ? withHoles(text.str()) : text.str());
    }

    // The model as analyze --save-model writes it and export-model reads it.
    AnalysisParams params;
    if (preset == "notebook")
        params.detector = DetectorParams::notebook();
    if (preset == "every") {
        params.detector.features.clear();
        for (const FeatureInfo& info : availableFeatures()) {
            // Behaviour and the location database's features have no SQL form: refused (badParams).
            if (info.group != FeatureGroup::Behaviour && !needsEnrichment(info.feature))
                params.detector.features.push_back(info.feature);
        }
    }
    params.detector.forest.threads = 1;
    // holes: the model is fitted on other rows (no holes, another seed), so the scored file has
    // ports, codes and countries it never saw, and missing values where it had none.
    QString training = csv;
    if (data == "holes") {
        training = directory.filePath("training.csv");
        GeneratorParams generator;
        generator.rows = 3000;
        generator.seed = 12;
        std::ofstream out(training.toStdString(), std::ios::binary);
        generateTraffic(out, generator);
    }
    const Analysis analysis = analyzeFile(training.toStdString(), params);
    const DetectorModel made = makeModel(analysis, fingerprintFile(training.toStdString()), "webthreat");
    const auto model = parseModel(modelDocument(made), "model.json");
    // The product's scores of the file with the saved model, as `webthreat score` computes them.
    const auto scored = data == "holes" ? prepareData(csv.toStdString()) : analysis.data;
    const auto detection = scoreWithModel(*scored, model, 1);
    const std::vector<double>& scores = detection->scores.scores();
    const TrafficTable& table = scored->table;

    SqlExportParams exportParams;
    exportParams.dialect = SqlDialect::Sqlite;
    exportParams.form = static_cast<SqlForestForm>(form);
    exportParams.extraColumns = {"row_id"};
    if (nodesTable)
        exportParams.nodesTable = "forest";
    const SqlExport exported = exportModelSql(*model, exportParams);
    QCOMPARE(static_cast<int>(exported.form), form);
    const SqliteRun run
        = runSqlite(sqlite, csv, exported.sql, directory.path(), nodesTable ? forestNodesCsv(*model) : std::string());
    QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
    // The files have no duplicates and no rows without addresses: the SQL sees the rows cleaning keeps.
    QCOMPARE(run.rows.size(), table.rowCount());
    double largest = 0.0;
    std::size_t suspicious = 0;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        const auto found = run.rows.find(static_cast<long long>(table.sourceLines[row]) - 1);
        QVERIFY2(found != run.rows.end(), qPrintable(QString("line %1 not scored").arg(table.sourceLines[row])));
        const auto [score, verdict] = found->second;
        largest = std::max(largest, std::fabs(score - scores[row]));
        QVERIFY2(std::fabs(score - scores[row]) <= 1e-9,
                 qPrintable(QString("line %1: SQL %2, product %3")
                                .arg(table.sourceLines[row])
                                .arg(score, 0, 'g', 17)
                                .arg(scores[row], 0, 'g', 17)));
        QCOMPARE(verdict, scores[row] < model->threshold);
        suspicious += verdict ? 1 : 0;
    }
    QVERIFY(suspicious > 0);
    qInfo("%zu rows, %zu suspicious, largest difference %.3g, SQL %zu bytes", table.rowCount(), suspicious, largest,
          exported.sql.size());
}

QTEST_GUILESS_MAIN(TestSqlExport)
#include "tst_sqlexport.moc"
