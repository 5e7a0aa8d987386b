#include "core/analysis/crosstab.h"
#include "core/io/csvreader.h"
#include "core/analysis/evaluation.h"
#include "core/triage/tabletriage.h"

#include <QFile>
#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {

GroundTruth truthOf(const std::vector<int>& labels)
{
    GroundTruth truth;
    truth.column = "is_attack";
    for (int label : labels) {
        truth.positive.push_back(static_cast<std::uint8_t>(label));
        truth.positives += label == 1;
    }
    truth.negatives = labels.size() - truth.positives;
    return truth;
}

// The synthetic reference data: is_attack and scikit-learn's scores.
void readReference(std::vector<int>& labels, std::vector<double>& scores)
{
    QFile file(QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/reference/synthetic_labelled_sklearn.csv"));
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList header = QString::fromUtf8(file.readLine()).trimmed().split(u',');
    const auto labelColumn = header.indexOf(QStringLiteral("is_attack"));
    const auto scoreColumn = header.indexOf(QStringLiteral("sklearn_score"));
    QVERIFY(labelColumn >= 0 && scoreColumn >= 0);
    while (!file.atEnd()) {
        const QStringList fields = QString::fromUtf8(file.readLine()).trimmed().split(u',');
        if (fields.size() < header.size())
            continue;
        labels.push_back(fields[labelColumn].toInt());
        scores.push_back(fields[scoreColumn].toDouble());
    }
}

// Six rows with a rule column, a truth column and bytes that make rows 0 and 1 stand out.
constexpr const char* kLabelledCsv
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,rule_names,detection_types,Is_Attack,note\n"
      "10,10,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1,Exfil,waf_rule,attack,x\n"
      "20,20,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.2,10.0.0.1,,waf_rule,Malicious,x\n"
      "30,30,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.3,10.0.0.1,Exfil,,benign,x\n"
      "40,40,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.4,10.0.0.1,Scan,,0,x\n"
      "50,50,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.5,10.0.0.1,,,NO,x\n"
      "60,60,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.6,10.0.0.1,,waf_rule, true ,x\n";

// Twenty rows scoring 0.00, 0.01, ..., 0.19 (row i is the i-th most anomalous), marked by hand:
// Malicious 0, 3, 5; Benign 1, 10, 12; Needs review 2.
ScoreIndex twentyScores()
{
    std::vector<double> scores;
    for (int i = 0; i < 20; ++i)
        scores.push_back(i / 100.0);
    return ScoreIndex(std::move(scores));
}

TableTriage handMarks()
{
    TableTriage triage;
    triage.marks.assign(20, Mark::None);
    for (int row : {0, 3, 5})
        triage.marks[static_cast<std::size_t>(row)] = Mark::Malicious;
    for (int row : {1, 10, 12})
        triage.marks[static_cast<std::size_t>(row)] = Mark::Benign;
    triage.marks[2] = Mark::NeedsReview;
    for (const Mark mark : triage.marks)
        ++triage.counts[static_cast<int>(mark)];
    return triage;
}

} // namespace

class TestEvaluation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void truthValues_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("expected"); // 1, 0, or -1 = not a truth value
        for (const char* yes : {"1", "true", "TRUE", "yes", "Attack", "suspicious", "malicious", " 1 "})
            QTest::newRow(yes) << QString::fromLatin1(yes) << 1;
        for (const char* no : {"0", "false", "No", "normal", "BENIGN"})
            QTest::newRow(no) << QString::fromLatin1(no) << 0;
        for (const char* other : {"", "2", "maybe", "-1", "0.5", "attacks"})
            QTest::newRow(other[0] ? other : "empty") << QString::fromLatin1(other) << -1;
    }

    void truthValues()
    {
        QFETCH(QString, text);
        QFETCH(int, expected);
        const auto value = parseTruthValue(text.toStdString());
        QCOMPARE(value ? static_cast<int>(*value) : -1, expected);
    }

    void perfectRankingHasAreaOne()
    {
        const ScoreIndex scores({-0.9, -0.8, -0.4, -0.3, -0.2});
        const Evaluation evaluation(scores, truthOf({1, 1, 0, 0, 0}));
        QCOMPARE(evaluation.rocAuc(), 1.0);
        QCOMPARE(evaluation.averagePrecision(), 1.0);
        QCOMPARE(evaluation.positives(), std::size_t{2});
        QCOMPARE(evaluation.negatives(), std::size_t{3});
        const OperatingPoint two = evaluation.at(2);
        QCOMPARE(two.truePositives, std::size_t{2});
        QCOMPARE(two.falsePositives, std::size_t{0});
        QCOMPARE(two.precision, 1.0);
        QCOMPARE(two.recall, 1.0);
        QCOMPARE(two.f1, 1.0);
        QCOMPARE(evaluation.rocCurve().front().x, 0.0);
        QCOMPARE(evaluation.rocCurve().back().x, 1.0);
        QCOMPARE(evaluation.rocCurve().back().y, 1.0);
    }

    void reversedRankingHasAreaZero()
    {
        const ScoreIndex scores({-0.9, -0.8, -0.4, -0.3, -0.2});
        const Evaluation evaluation(scores, truthOf({0, 0, 0, 1, 1}));
        QCOMPARE(evaluation.rocAuc(), 0.0);
        // Precision at the two thresholds that find the attacks: 1/4 and 2/5.
        QCOMPARE(evaluation.averagePrecision(), 0.5 * 0.25 + 0.5 * 0.4);
        const OperatingPoint one = evaluation.at(1);
        QCOMPARE(one.precision, 0.0);
        QCOMPARE(one.f1, 0.0);
        QCOMPARE(one.falsePositiveRate, 1.0 / 3.0);
        QCOMPARE(evaluation.at(0).precision, 0.0); // nothing flagged
    }

    void allTiesHaveAreaOneHalf()
    {
        const ScoreIndex scores(std::vector<double>(8, -0.5));
        const Evaluation evaluation(scores, truthOf({1, 0, 0, 1, 0, 0, 0, 0}));
        QCOMPARE(evaluation.rocAuc(), 0.5);
        QCOMPARE(evaluation.averagePrecision(), 0.25); // the prevalence
        QCOMPARE(evaluation.rocCurve().size(), std::size_t{2}); // one diagonal step
        QCOMPARE(evaluation.precisionRecallCurve().size(), std::size_t{1});
    }

    void workedExampleWithATie()
    {
        // Attacks at scores -0.9 and twice -0.7; normal rows at -0.8, -0.6, -0.5. Of the 9
        // (attack, normal) pairs the attack scores lower in 7: AUC 7/9. Average precision:
        // recall 1/3 at precision 1, then the tied pair takes recall to 1 at precision 3/4.
        const ScoreIndex scores({-0.6, -0.9, -0.7, -0.8, -0.7, -0.5});
        const Evaluation evaluation(scores, truthOf({0, 1, 1, 0, 1, 0}));
        QVERIFY(std::abs(evaluation.rocAuc() - 7.0 / 9.0) < 1e-15);
        QVERIFY(std::abs(evaluation.averagePrecision() - 5.0 / 6.0) < 1e-15);
        const OperatingPoint four = evaluation.at(4);
        QCOMPARE(four.truePositives, std::size_t{3});
        QCOMPARE(four.falsePositives, std::size_t{1});
        QCOMPARE(four.falseNegatives, std::size_t{0});
        QCOMPARE(four.trueNegatives, std::size_t{2});
        QCOMPARE(four.precision, 0.75);
        QCOMPARE(four.recall, 1.0);
        QVERIFY(std::abs(four.f1 - 6.0 / 7.0) < 1e-15);
        // At contamination 0.5 the threshold is -0.7 (interpolated between the 3rd and 4th sorted
        // scores, -0.7 and -0.7); rows strictly below it: -0.9 and -0.8.
        const auto rows = evaluateContaminations(scores, evaluation, {0.5});
        QCOMPARE(rows.size(), std::size_t{1});
        QCOMPARE(rows[0].point.flagged, std::size_t{2});
        QCOMPARE(rows[0].point.truePositives, std::size_t{1});
        QCOMPARE(rows[0].point.threshold, -0.7);
    }

    // The ranked constructor (streaming mode's, fed from scores sorted on disk) equals the one over
    // a ScoreIndex, bit for bit, on scores with many ties: areas, curves, every operating point.
    void rankedFeedEqualsScoreIndex()
    {
        std::vector<double> values;
        std::vector<int> positive;
        std::uint64_t state = 12345;
        for (int i = 0; i < 5000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            values.push_back(-0.3 - static_cast<double>((state >> 33) % 40) / 100.0); // 40 distinct scores
            positive.push_back(((state >> 20) % 7 == 0 || values.back() < -0.66) ? 1 : 0);
        }
        const ScoreIndex scores(values);
        const Evaluation expected(scores, truthOf(positive));
        std::size_t next = 0;
        const auto& ranked = scores.rankedRows();
        const Evaluation fed(expected.truthColumn(), expected.positives(), expected.negatives(), values.size(),
                             [&](double& score, bool& isAttack) {
                                 if (next == ranked.size())
                                     return false;
                                 score = values[ranked[next]];
                                 isAttack = positive[ranked[next++]] != 0;
                                 return true;
                             });
        QCOMPARE(fed.rocAuc(), expected.rocAuc());
        QCOMPARE(fed.averagePrecision(), expected.averagePrecision());
        QCOMPARE(fed.rocCurve().size(), expected.rocCurve().size());
        QCOMPARE(fed.precisionRecallCurve().size(), expected.precisionRecallCurve().size());
        for (std::size_t k = 0; k <= values.size(); k += 7)
            QCOMPARE(fed.at(k).truePositives, expected.at(k).truePositives);
        // Too few rows fed: refused.
        QVERIFY_THROWS_EXCEPTION(ParameterError, Evaluation("x", 1, 1, 3, [](double&, bool&) { return false; }));
    }

    void agreesWithScikitLearn()
    {
        // Expected values from tests/reference/make_evaluation_reference.py (scikit-learn 1.2).
        std::vector<int> labels;
        std::vector<double> raw;
        readReference(labels, raw);
        QCOMPARE(labels.size(), std::size_t{5000});
        const GroundTruth truth = truthOf(labels);
        QCOMPARE(truth.positives, std::size_t{150});
        const Evaluation exact(ScoreIndex(raw), truth);
        QVERIFY2(std::abs(exact.rocAuc() - 0.942079725085911) < 1e-12,
                 qPrintable(QString::number(exact.rocAuc(), 'g', 17)));
        QVERIFY2(std::abs(exact.averagePrecision() - 0.696218913536723) < 1e-12,
                 qPrintable(QString::number(exact.averagePrecision(), 'g', 17)));
        // numpy.round(scores, 2): 51 distinct values, so most thresholds are ties.
        std::vector<double> rounded;
        for (double score : raw)
            rounded.push_back(std::nearbyint(score * 100.0) / 100.0);
        const Evaluation tied(ScoreIndex(rounded), truth);
        QVERIFY2(std::abs(tied.rocAuc() - 0.941151202749141) < 1e-12,
                 qPrintable(QString::number(tied.rocAuc(), 'g', 17)));
        QVERIFY2(std::abs(tied.averagePrecision() - 0.688075918363696) < 1e-12,
                 qPrintable(QString::number(tied.averagePrecision(), 'g', 17)));
        // The curves are thinned for drawing but keep both ends.
        QVERIFY(exact.rocCurve().size() <= 2002);
        QCOMPARE(exact.rocCurve().back().x, 1.0);
        QCOMPARE(exact.precisionRecallCurve().back().x, 1.0);
    }

    void refusesMismatchedTruth()
    {
        const ScoreIndex scores({-0.9, -0.8});
        QVERIFY_THROWS_EXCEPTION(ParameterError, Evaluation(scores, truthOf({1, 0, 0})));
        QVERIFY_THROWS_EXCEPTION(ParameterError, Evaluation(scores, truthOf({0, 0})));
    }

    void findsTheTruthColumn()
    {
        const ReadResult read = readTrafficCsvText(kLabelledCsv, "labelled.csv");
        const TruthLookup lookup = findGroundTruth(read.table);
        QVERIFY2(lookup.truth, lookup.problem.c_str());
        QCOMPARE(QString::fromStdString(lookup.truth->column), QString("Is_Attack"));
        const std::vector<std::uint8_t> expected{1, 1, 0, 0, 0, 1};
        QCOMPARE(lookup.truth->positive, expected);
        QCOMPARE(lookup.truth->positives, std::size_t{3});
        QCOMPARE(lookup.truth->negatives, std::size_t{3});
        const auto named = readGroundTruth(read.table, "is_attack"); // case-insensitive when unique
        QVERIFY(named.truth);
    }

    void explainsAnUnusableTruthColumn()
    {
        const ReadResult read = readTrafficCsvText(kLabelledCsv, "labelled.csv");
        const TruthLookup note = readGroundTruth(read.table, "note");
        QVERIFY(!note.truth);
        QCOMPARE(QString::fromStdString(note.problem),
                 QString("column note cannot be used as ground truth: line 2 has 'x'; it needs 1/0, true/false, "
                         "yes/no, attack/normal, suspicious/normal or malicious/benign"));
        const TruthLookup missing = readGroundTruth(read.table, "verdict");
        QCOMPARE(
            QString::fromStdString(missing.problem),
            QString("the file has no column named 'verdict'; columns besides the traffic schema's: Is_Attack, note"));
        const ReadResult plain = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,label\n"
                                                    "1,1,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1,0\n"
                                                    "2,2,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.2,10.0.0.1,\n",
                                                    "plain.csv");
        QCOMPARE(QString::fromStdString(findGroundTruth(plain.table).problem),
                 QString("column label cannot be used as ground truth: line 3 has no value; it needs 1/0, true/false, "
                         "yes/no, attack/normal, suspicious/normal or malicious/benign"));
        const ReadResult oneClass
            = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,is_suspicious\n"
                                 "1,1,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1,no\n",
                                 "one.csv");
        QCOMPARE(QString::fromStdString(findGroundTruth(oneClass.table).problem),
                 QString("column is_suspicious cannot be used as ground truth: every row is normal, so there is "
                         "nothing to tell apart"));
        const ReadResult none = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                                   "1,1,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1\n",
                                                   "none.csv");
        QCOMPARE(QString::fromStdString(findGroundTruth(none.table).problem),
                 QString("the file has no ground-truth column (is_attack, label or is_suspicious)"));
        QCOMPARE(QString::fromStdString(readGroundTruth(none.table, "x").problem),
                 QString("the file has no column named 'x'; it has no columns besides the traffic schema's"));
    }

    void rulesAgainstTheModel()
    {
        const ReadResult read = readTrafficCsvText(kLabelledCsv, "labelled.csv");
        // Rows 0 and 1 score lowest; at contamination 0.3 numpy's percentile interpolates halfway
        // between -0.8 and -0.3, so exactly those two are flagged.
        const ScoreIndex scores({-0.9, -0.8, -0.3, -0.3, -0.3, -0.3});
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.3));
        QCOMPARE(verdicts.suspiciousCount, std::size_t{2});
        const CrossTab rules = CrossTabulator(read.table, Field::RuleNames).tabulate(scores, verdicts);
        QCOMPARE(QString::fromStdString(rules.column), QString("rule_names"));
        QVERIFY(rules.columnPresent);
        QCOMPARE(rules.rows.size(), std::size_t{3});
        QCOMPARE(QString::fromStdString(rules.rows[0].value), QString("Exfil")); // 2 rows
        QCOMPARE(rules.rows[0].suspicious, std::size_t{1});
        QCOMPARE(rules.rows[0].normal, std::size_t{1});
        QCOMPARE(QString::fromStdString(rules.rows[1].value), QString("Scan"));
        QCOMPARE(rules.rows[1].normal, std::size_t{1});
        QCOMPARE(QString::fromStdString(rules.rows[2].value), QString("(none)")); // last
        QVERIFY(rules.rows[2].none);
        QCOMPARE(rules.rows[2].suspicious, std::size_t{1});
        QCOMPARE(rules.rows[2].normal, std::size_t{2});
        QCOMPARE(rules.normal, std::size_t{4});
        QCOMPARE(rules.suspicious, std::size_t{2});
        QCOMPARE(rules.ruledButNormal(), std::size_t{2});
        QCOMPARE(rules.flaggedWithoutRule(), std::size_t{1});
        QCOMPARE(
            QString::fromStdString(rules.summary()),
            QString("The rules named 3 rows; the model flags 1 row of them (33.3 %) and calls 2 rows Normal: what the "
                    "rules "
                    "caught that the model did not. The model flags 1 row that no rule named: what the model caught "
                    "that the rules did not."));
    }

    void everyRowWithTheSameRule()
    {
        // As in the real CloudWatch export: one rule on every row.
        std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,rule_names\n";
        for (int i = 0; i < 4; ++i)
            text += std::to_string(i + 1)
                + ",1,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1,Suspicious Web Traffic\n";
        const ReadResult read = readTrafficCsvText(text, "same.csv");
        const ScoreIndex scores({-0.9, -0.5, -0.5, -0.5});
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.25));
        const CrossTab rules = CrossTabulator(read.table, Field::RuleNames).tabulate(scores, verdicts);
        QCOMPARE(rules.rows.size(), std::size_t{1});
        QCOMPARE(
            QString::fromStdString(rules.summary()),
            QString("Every row has the same rule_names ('Suspicious Web Traffic'), so the rules do not single out any "
                    "rows: the model flags 1 row of 4 (25.0 %) and calls 3 rows Normal."));
        const CrossTab types = CrossTabulator(read.table, Field::DetectionTypes).tabulate(scores, verdicts);
        QVERIFY(!types.columnPresent);
        QCOMPARE(QString::fromStdString(types.summary()),
                 QString("The file has no detection_types values, so there is nothing to compare the model with."));
        QCOMPARE(types.rows.size(), std::size_t{1});
        QCOMPARE(types.rows[0].total(), std::size_t{4});
    }

    void changedVerdictsAreTheRowsBetweenTheThresholds()
    {
        std::vector<double> raw;
        for (int i = 0; i < 100; ++i)
            raw.push_back(-0.3 - 0.001 * ((i * 37) % 100)); // distinct scores in a shuffled order
        const ScoreIndex scores(raw);
        const Verdicts five = applyThreshold(scores, Contamination::fromValue(0.05));
        const Verdicts twenty = applyThreshold(scores, Contamination::fromValue(0.20));
        const VerdictChanges up = changedVerdicts(scores, five, twenty);
        QCOMPARE(up.newlyNormal.size(), std::size_t{0});
        QCOMPARE(up.newlySuspicious.size(), twenty.suspiciousCount - five.suspiciousCount);
        for (std::uint32_t row : up.newlySuspicious)
            QVERIFY(!five.isSuspicious(row) && twenty.isSuspicious(row));
        const VerdictChanges down = changedVerdicts(scores, twenty, five);
        QCOMPARE(down.newlySuspicious.size(), std::size_t{0});
        QCOMPARE(down.newlyNormal, up.newlySuspicious);
        // Brute force: every row whose verdict differs is listed.
        std::size_t differ = 0;
        for (std::size_t row = 0; row < raw.size(); ++row)
            differ += five.isSuspicious(row) != twenty.isSuspicious(row);
        QCOMPARE(up.size(), differ);
        QCOMPARE(changedVerdicts(scores, five, five).size(), std::size_t{0});
    }
    void evaluatesAgainstTheReviewedRowsOnly()
    {
        const ScoreIndex scores = twentyScores();
        const Evaluation evaluation = evaluateAgainstTriage(scores, handMarks());
        QCOMPARE(evaluation.truthColumn(), std::string("your verdicts"));
        QCOMPARE(evaluation.positives(), std::size_t(3));
        QCOMPARE(evaluation.negatives(), std::size_t(3));
        // Reviewed rows by score: M B M M B B. Pairs ranked right: 3 + 2 + 2 of 9.
        QVERIFY(std::fabs(evaluation.rocAuc() - 7.0 / 9.0) < 1e-12);
        // Precision at each attack: 1/1, 2/3, 3/4.
        QVERIFY(std::fabs(evaluation.averagePrecision() - 29.0 / 36.0) < 1e-12);
        QCOMPARE(evaluation.rocCurve().back().x, 1.0);
        QCOMPARE(evaluation.rocCurve().back().y, 1.0);
        // At 5 % the threshold is 0.0095: of the reviewed rows only row 0 is below it.
        const auto rows = evaluateContaminations(scores, evaluation, handMarks(), {0.05, 0.30});
        QCOMPARE(rows[0].point.flagged, std::size_t(1));
        QCOMPARE(rows[0].point.truePositives, std::size_t(1));
        QCOMPARE(rows[0].point.falsePositives, std::size_t(0));
        QCOMPARE(rows[1].point.flagged, std::size_t(4)); // 0.057: rows 0, 1, 3, 5
        QCOMPARE(rows[1].point.falseNegatives, std::size_t(0));
    }

    void refusesVerdictsWithOneClass()
    {
        TableTriage triage = handMarks();
        for (Mark& mark : triage.marks) {
            if (mark == Mark::Benign)
                mark = Mark::None;
        }
        triage.counts[static_cast<int>(Mark::None)] += 3;
        triage.counts[static_cast<int>(Mark::Benign)] = 0;
        try {
            evaluateAgainstTriage(twentyScores(), triage);
            QFAIL("evaluated without a Benign row");
        } catch (const ParameterError& error) {
            QCOMPARE(std::string(error.what()),
                     std::string("mark at least one row Benign to evaluate against your verdicts"));
        }
    }

    void saysWhichMarkedRowsTheThresholdMisses()
    {
        const ScoreIndex scores = twentyScores();
        // 10 %: threshold 0.019, rows 0 and 1 flagged: malicious 3 and 5 missed, benign 1 flagged.
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.10));
        const TriageCheck check = checkTriage(scores, verdicts, handMarks());
        QCOMPARE(check.malicious, std::size_t(3));
        QCOMPARE(check.benign, std::size_t(3));
        QCOMPARE(check.maliciousMissed, std::size_t(2));
        QCOMPARE(check.maliciousSuppressed, std::size_t(0));
        QCOMPARE(check.benignFlagged, std::size_t(1));
        QCOMPARE(check.reviewedBelow, std::size_t(2));
        // Row 5 (0.05) is passed once 19c > 5: 26.31 % gives 0.04999, 26.32 % gives 0.050008.
        QVERIFY(check.contaminationForAll.has_value());
        QCOMPARE(*check.contaminationForAll, 0.2632);
        QVERIFY(scores.thresholdFor(Contamination::fromValue(0.2631)) <= 0.05);
        QCOMPARE(triageCheckSentence(check, verdicts.contamination),
                 std::string("At 10 % you would miss 2 rows you marked malicious; at 26.32 % none. 1 row you marked "
                             "benign is flagged."));
        const Verdicts there = applyThreshold(scores, Contamination::fromValue(*check.contaminationForAll));
        QCOMPARE(checkTriage(scores, there, handMarks()).maliciousMissed, std::size_t(0));
    }

    void saysWhenEveryMarkedRowIsFlagged()
    {
        const ScoreIndex scores = twentyScores();
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.30));
        const TriageCheck check = checkTriage(scores, verdicts, handMarks());
        QCOMPARE(check.maliciousMissed, std::size_t(0));
        QVERIFY(!check.contaminationForAll);
        QCOMPARE(triageCheckSentence(check, verdicts.contamination),
                 std::string("At 30 % every row you marked malicious is flagged; 1 row you marked benign is flagged "
                             "too."));
        QCOMPARE(triageCheckSentence(
                     checkTriage(scores, applyThreshold(scores, Contamination::fromValue(0.005)), handMarks()),
                     Contamination::fromValue(0.005)),
                 std::string("At 0.5 % you would miss 2 rows you marked malicious; at 26.32 % none. No row you "
                             "marked benign is flagged."));
        QCOMPARE(triageCheckSentence(TriageCheck{}, verdicts.contamination), std::string());
    }

    void countsSuppressedMaliciousRowsApart()
    {
        const ScoreIndex scores = twentyScores();
        Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.30));
        std::vector<std::uint8_t> suppressed(20, 0);
        suppressed[3] = 1;
        verdicts.suspicious[3] = 0;
        --verdicts.suspiciousCount;
        verdicts.suppressedCount = 1;
        const TriageCheck check = checkTriage(scores, verdicts, handMarks(), &suppressed);
        QCOMPARE(check.maliciousMissed, std::size_t(1));
        QCOMPARE(check.maliciousSuppressed, std::size_t(1));
        QCOMPARE(check.reviewedBelow, std::size_t(4));
        QVERIFY(!check.contaminationForAll);
        QCOMPARE(triageCheckSentence(check, verdicts.contamination),
                 std::string("At 30 % you would miss 1 row you marked malicious (suppressed by the allow-list). 1 "
                             "row you marked benign is flagged."));
        // A row above every threshold the box allows: no contamination flags it.
        std::vector<double> values(20, 0.5);
        values[0] = 0.0;
        const ScoreIndex flat(values);
        TableTriage triage = handMarks();
        const TriageCheck none = checkTriage(flat, applyThreshold(flat, Contamination::fromValue(0.05)), triage);
        QVERIFY(!none.contaminationForAll);
        QCOMPARE(triageCheckSentence(none, Contamination::fromValue(0.05)),
                 std::string("At 5 % you would miss 2 rows you marked malicious; no contamination up to 50 % flags "
                             "them all. No row you marked benign is flagged."));
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "tst_evaluation.moc"
