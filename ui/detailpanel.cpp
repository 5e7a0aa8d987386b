#include "ui/detailpanel.h"

#include "core/util/log.h"
#include "ui/backgroundtask.h"
#include "ui/charts/chartstyle.h"
#include "ui/displayformat.h"
#include "ui/rowdetailstext.h"
#include "ui/triagestyle.h"
#include "ui/viewwidgets.h"

#include "core/triage/suppression.h"
#include "core/util/text.h"
#include "core/triage/tabletriage.h"

#include <QCoreApplication>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <cmath>
#include <mutex>

namespace webthreat {

// One Explainer per detection, built on first use by whichever pool thread needs it (it copies the
// detector's input, O(rows)), then shared by every later request.
class ExplainerSlot {
public:
    ExplainerSlot(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection)
        : m_data(std::move(data))
        , m_detection(std::move(detection))
    {
    }

    const Explainer& get()
    {
        std::call_once(m_once, [this] { m_explainer = std::make_unique<Explainer>(m_data, m_detection); });
        return *m_explainer;
    }

private:
    std::shared_ptr<const PreparedData> m_data;
    std::shared_ptr<const Detection> m_detection;
    std::once_flag m_once;
    std::unique_ptr<Explainer> m_explainer;
};

// Horizontal bars, one per feature, most credited first: the feature's share of the early
// isolation, and under it the row's value and where it stands among all rows.
class CreditBars : public QWidget {
public:
    explicit CreditBars(QWidget* parent)
        : QWidget(parent)
    {
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    }

    void setExplanation(const std::optional<RowExplanation>& explanation, bool suspicious)
    {
        m_features.clear();
        if (explanation)
            m_features = explanation->features;
        m_suspicious = suspicious;
        setFixedHeight(static_cast<int>(m_features.size()) * rowHeight() + 4);
        // The lines whole (the dock may elide them), for the tooltip and screen readers.
        QStringList lines;
        for (const FeatureExplanation& part : m_features)
            lines << tr("%1: %2, %3, %4")
                         .arg(rowdetails::featureLabel(part.feature), formatPercent(part.credit, 0),
                              QString::fromStdString(describeFeatureValue(part.feature, part.value)),
                              rowdetails::standing(part));
        setToolTip(lines.join(QLatin1Char('\n')));
        setAccessibleDescription(toolTip());
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        const QFontMetrics metrics(font());
        const int line = metrics.height();
        const int width = this->width();
        const QColor barColor = m_suspicious ? chartstyle::suspiciousColor() : chartstyle::normalColor();
        const QColor track = palette().color(QPalette::Mid).lighter(150);
        int y = 2;
        for (const FeatureExplanation& part : m_features) {
            const QString name = rowdetails::featureLabel(part.feature);
            const QString share = formatPercent(part.credit, 0);
            painter.setPen(palette().color(QPalette::WindowText));
            QFont bold = font();
            bold.setBold(true);
            painter.setFont(bold);
            painter.drawText(QRect(0, y, width, line), Qt::AlignLeft | Qt::AlignVCenter, name);
            painter.setFont(font());
            painter.drawText(QRect(0, y, width, line), Qt::AlignRight | Qt::AlignVCenter, share);
            const QRectF bar(0, y + line + 2, width, 8);
            painter.setPen(Qt::NoPen);
            painter.setBrush(track);
            painter.drawRoundedRect(bar, 3, 3);
            painter.setBrush(barColor);
            const QRectF filled(bar.left(), bar.top(), std::max(2.0, bar.width() * part.credit), bar.height());
            painter.drawRoundedRect(filled, 3, 3);
            painter.setPen(palette().color(QPalette::PlaceholderText));
            const QString where = rowdetails::standing(part);
            const QString value = QString::fromStdString(describeFeatureValue(part.feature, part.value));
            painter.drawText(QRect(0, y + line + 12, width, line), Qt::AlignLeft | Qt::AlignVCenter,
                             metrics.elidedText(tr("%1, %2").arg(value, where), Qt::ElideRight, width));
            y += rowHeight();
        }
    }

private:
    int rowHeight() const { return 2 * fontMetrics().height() + 20; }

    std::vector<FeatureExplanation> m_features;
    bool m_suspicious = false;
};

DetailPanel::DetailPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_headline = selectableLabel(this, QStringLiteral("detailHeadline"), Qt::RichText);
    m_sentence = selectableLabel(this, QStringLiteral("detailSentence"));
    m_barsTitle = new QLabel(tr("What isolated it (share of the early splits)"), this);
    QFont small = m_barsTitle->font();
    small.setBold(true);
    m_barsTitle->setFont(small);
    m_barsTitle->setWordWrap(true);
    m_bars = new CreditBars(this);
    m_bars->setObjectName(QStringLiteral("creditBars"));
    layout->addWidget(m_headline);
    layout->addWidget(m_sentence);
    layout->addSpacing(4);
    layout->addWidget(m_barsTitle);
    layout->addWidget(m_bars);
    layout->addStretch(1);
    showPlaceholder(tr("Select a row (Data tab, suspicious rows or the scatter) to see why it scored as it did."));
}

DetailPanel::~DetailPanel() = default;

void DetailPanel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    const bool sameData = snapshot.data == m_snapshot.data;
    const bool sameScores = sameData && snapshot.detection == m_snapshot.detection;
    m_snapshot = snapshot;
    if (sameScores) {
        showHeadline();
        return;
    }
    m_explainer
        = snapshot.hasDetection() ? std::make_shared<ExplainerSlot>(snapshot.data, snapshot.detection) : nullptr;
    // A refit of the same rows: explain the selected row again against the new forest.
    if (sameData && m_snapshot.data && m_row && *m_row < m_snapshot.data->table.rowCount())
        requestExplanation();
    else
        clearRow();
}

void DetailPanel::updateTriage(const ViewUpdate& update)
{
    if (update.snapshot.data != m_snapshot.data)
        return;
    m_snapshot.triage = update.snapshot.triage;
    showHeadline();
}

void DetailPanel::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_snapshot.data)
        return;
    m_snapshot.threatMatches = update.snapshot.threatMatches;
    m_snapshot.threatFindings = update.snapshot.threatFindings;
    showHeadline();
}

namespace {

// "<br>src_ip 203.0.113.7 is on list 'abuse-ip' (203.0.113.0/24, line 2)" for each address and list.
QString threatListSentences(const ThreatMatches& matches, const TrafficTable& table, std::size_t row)
{
    QString text;
    if (!matches.index || row >= matches.src.size())
        return text;
    for (const Field field : {Field::SrcIp, Field::DstIp}) {
        const std::uint64_t set = field == Field::SrcIp ? matches.src[row] : matches.dst[row];
        if (set == 0)
            continue;
        const std::string_view address = trim(table.text(field, row), kWhitespace);
        IpNumber number;
        if (!parseIpNumber(address, &number))
            continue;
        const auto& lists = matches.index->lists();
        for (std::size_t i = 0; i < lists.size(); ++i) {
            if (!(set & (1ull << i)))
                continue;
            // The narrowest entry: one linear pass over one list, for one row.
            const IpRange* entry = narrowestEntry(*lists[i], number);
            text += QCoreApplication::translate("DetailPanel", "<br><span style='color:%1; font-weight:600'>%2 %3 is on "
                                                               "list '%4'</span> (%5, line %6)")
                        .arg(chartstyle::suspiciousColor().name(), QString::fromLatin1(fieldInfo(field).name),
                             QString::fromStdString(std::string(address)).toHtmlEscaped(),
                             QString::fromStdString(lists[i]->name).toHtmlEscaped(),
                             entry ? QString::fromStdString(ipRangeText(*entry)) : QString(),
                             entry ? QString::number(entry->line) : QString());
        }
    }
    return text;
}

} // namespace

void DetailPanel::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    m_snapshot = snapshot;
    showHeadline();
    m_bars->setExplanation(m_explanation, m_row && m_snapshot.verdicts && m_snapshot.verdicts->isSuspicious(*m_row));
}

void DetailPanel::showRow(std::size_t row)
{
    if (!m_snapshot.data || row >= m_snapshot.data->table.rowCount())
        return;
    if (m_row == row && (m_explanation || m_pending))
        return;
    m_row = row;
    requestExplanation();
}

void DetailPanel::clearRow()
{
    ++m_request;
    m_pending = false;
    m_row.reset();
    m_explanation.reset();
    showPlaceholder(m_snapshot.hasData()
                        ? tr("Select a row (Data tab, suspicious rows or the scatter) to see why it scored as it did.")
                        : tr("Open a file to see why rows score as they do."));
}

void DetailPanel::requestExplanation()
{
    m_explanation.reset();
    showHeadline();
    m_bars->setExplanation(std::nullopt, false);
    if (!m_explainer) {
        m_sentence->setText(tr("No scores yet: the detector has not run on this data."));
        m_barsTitle->hide();
        return;
    }
    const quint64 request = ++m_request;
    const std::size_t row = *m_row;
    m_pending = true;
    m_sentence->setText(tr("Working out why..."));
    auto slot = m_explainer;
    runInBackground<RowExplanation>(
        this, [slot, row] { return slot->get().explain(row); },
        [this, request, row](const BackgroundResult<RowExplanation>& result) {
            if (request != m_request)
                return; // the selection or the scores changed meanwhile
            m_pending = false;
            if (!result.value) {
                logger::get("ui")->warn("cannot explain row {}: {}", row, result.error);
                m_sentence->setText(tr("Cannot explain this row: %1").arg(QString::fromStdString(result.error)));
                return;
            }
            m_explanation = result.value;
            m_sentence->setText(rowdetails::sentence(*m_explanation));
            m_barsTitle->show();
            m_bars->setExplanation(m_explanation, m_snapshot.verdicts && m_snapshot.verdicts->isSuspicious(row));
            Q_EMIT explained(row);
        });
}

void DetailPanel::showHeadline()
{
    if (!m_row || !m_snapshot.data || *m_row >= m_snapshot.data->table.rowCount()) {
        return;
    }
    const std::size_t row = *m_row;
    const TrafficTable& table = m_snapshot.data->table;
    QString text = tr("<b>Line %1</b><br>%2").arg(table.sourceLines[row]).arg(rowdetails::rowFacts(
        table, row, m_snapshot.data->features.enrichment.get()));
    if (m_snapshot.hasDetection()) {
        const bool suspicious = m_snapshot.verdicts->isSuspicious(row);
        const QColor color = suspicious ? chartstyle::suspiciousColor() : chartstyle::normalColor();
        text += tr("<br><span style='color:%1; font-weight:600'>%2</span>, score %3 (threshold %4)")
                    .arg(color.name(), suspicious ? tr("Suspicious") : tr("Normal"))
                    .arg(m_snapshot.detection->scores.scores()[row], 0, 'f', 4)
                    .arg(m_snapshot.verdicts->threshold, 0, 'f', 4);
        if (m_snapshot.suppression && row < m_snapshot.suppression->rows.size() && m_snapshot.suppression->rows[row])
            text += tr(", matched by the allow-list");
    }
    if (m_snapshot.threatMatches)
        text += threatListSentences(*m_snapshot.threatMatches, table, row);
    if (m_snapshot.triage && m_snapshot.triage->mark(row) != Mark::None) {
        const Mark mark = m_snapshot.triage->mark(row);
        text += tr("<br>Your verdict: <span style='background:%1; color:%2; padding:0 3px'>&nbsp;%3&nbsp;</span>")
                    .arg(markColor(mark).name(), markTextColor(mark).name(),
                         markText(*m_snapshot.triage, row).toHtmlEscaped());
    }
    if (const std::string* note = m_snapshot.triage ? m_snapshot.triage->note(row) : nullptr)
        text += tr("<br>Note: <i>%1</i>").arg(QString::fromStdString(*note).toHtmlEscaped());
    m_headline->setText(text);
}

void DetailPanel::showPlaceholder(const QString& text)
{
    m_headline->setText(tr("<b>No row selected</b>"));
    m_sentence->setText(text);
    m_barsTitle->hide();
    m_bars->setExplanation(std::nullopt, false);
}

QString DetailPanel::headline() const
{
    return m_headline->text();
}

QString DetailPanel::sentence() const
{
    return m_sentence->text();
}

} // namespace webthreat
