#include "ui/allowlistpanel.h"

#include "core/util/errors.h"
#include "ui/displayformat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace webthreat {

namespace {

constexpr RuleField kFields[] = {RuleField::SrcIp,   RuleField::DstIp,     RuleField::DstPort, RuleField::Protocol,
                                 RuleField::Country, RuleField::RuleNames, RuleField::Pair};

QString fieldText(RuleField field)
{
    const std::string_view name = ruleFieldName(field);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString fieldHint(RuleField field)
{
    switch (field) {
    case RuleField::SrcIp:
    case RuleField::DstIp: return RuleDialog::tr("an address or a CIDR: 10.0.0.7, 10.0.0.0/8, 2001:db8::/32");
    case RuleField::DstPort: return RuleDialog::tr("a port or a range: 123, 8000-8080");
    case RuleField::Protocol: return RuleDialog::tr("as in the protocol column: TCP, UDP, HTTPS");
    case RuleField::Country: return RuleDialog::tr("a country code: NL");
    case RuleField::RuleNames: return RuleDialog::tr("the whole rule_names cell: Suspicious Web Traffic");
    case RuleField::Pair: return RuleDialog::tr("source -> destination: 10.0.0.7 -> 10.0.0.5 (CIDRs too)");
    }
    return {};
}

} // namespace

RuleDialog::RuleDialog(QWidget* parent, const std::optional<SuppressionRule>& rule)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("ruleDialog"));
    setWindowTitle(rule ? tr("Change Allow-list Rule") : tr("Add Allow-list Rule"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_field = new QComboBox(this);
    m_field->setObjectName(QStringLiteral("ruleField"));
    for (const RuleField field : kFields)
        m_field->addItem(fieldText(field), static_cast<int>(field));
    m_value = new QLineEdit(this);
    m_value->setObjectName(QStringLiteral("ruleValue"));
    m_value->setMinimumWidth(320);
    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("ruleReason"));
    m_reason->setPlaceholderText(tr("why these rows are fine: office NAT, health checker..."));
    form->addRow(tr("&Field:"), m_field);
    form->addRow(tr("&Value:"), m_value);
    form->addRow(tr("&Reason:"), m_reason);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("ruleProblem"));
    m_problem->setWordWrap(true);
    layout->addWidget(m_problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (rule) {
        m_field->setCurrentIndex(m_field->findData(static_cast<int>(rule->field)));
        m_value->setText(QString::fromStdString(rule->value));
        m_reason->setText(QString::fromStdString(rule->reason));
        m_enabled = rule->enabled;
    }
    connect(m_field, &QComboBox::currentIndexChanged, this, &RuleDialog::check);
    connect(m_value, &QLineEdit::textChanged, this, &RuleDialog::check);
    connect(m_reason, &QLineEdit::textChanged, this, &RuleDialog::check);
    check();
}

std::optional<SuppressionRule> RuleDialog::rule() const
{
    const auto field = static_cast<RuleField>(m_field->currentData().toInt());
    QString reason = m_reason->text().trimmed();
    reason.replace(QLatin1Char('\n'), QLatin1Char(' '));
    const QString line = fieldText(field) + QLatin1Char(' ') + m_value->text().trimmed()
        + (reason.isEmpty() ? QString() : QStringLiteral(" # ") + reason);
    try {
        SuppressionRule parsed = parseRule(line.toStdString());
        parsed.enabled = m_enabled;
        return parsed;
    } catch (const Error&) {
        return std::nullopt;
    }
}

QString RuleDialog::problem() const
{
    return m_problem->text();
}

void RuleDialog::check()
{
    const auto field = static_cast<RuleField>(m_field->currentData().toInt());
    m_value->setPlaceholderText(fieldHint(field));
    QString message;
    if (m_value->text().trimmed().isEmpty()) {
        message = fieldHint(field);
    } else if (m_reason->text().contains(QLatin1Char('#'))) {
        message = tr("The reason cannot contain '#'");
    } else {
        try {
            parseRule((fieldText(field) + QLatin1Char(' ') + m_value->text().trimmed()).toStdString());
        } catch (const Error& error) {
            message = QString::fromStdString(error.what());
        }
    }
    m_problem->setText(message);
    m_ok->setEnabled(message.isEmpty());
}

AllowListPanel::AllowListPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("No rules: every suspicious row is shown"), this);
    m_summary->setObjectName(QStringLiteral("allowListSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("allowListTable"));
    m_table->setHorizontalHeaderLabels({tr("On"), tr("Rule"), tr("Reason"), tr("Rows")});
    m_table->horizontalHeaderItem(3)->setToolTip(tr("Rows of the data shown the rule matches"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    // The rule and its count whole; the reason takes what is left (the table scrolls sideways
    // rather than widen the dock).
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_table->setMinimumWidth(200);
    layout->addWidget(m_table, 1);
    m_show = new QCheckBox(tr("&Show suppressed rows"), this);
    m_show->setObjectName(QStringLiteral("showSuppressed"));
    m_show->setToolTip(tr("Label the rows the rules match as the detector does, as if there were no allow-list"));
    layout->addWidget(m_show);
    // Two short rows: the dock shares the window's right side with the detector panel, so five
    // buttons in one row would widen it past a 1280-pixel screen.
    auto* buttons = new QGridLayout;
    auto* add = new QPushButton(tr("&Add..."), this);
    add->setObjectName(QStringLiteral("addRule"));
    m_edit = new QPushButton(tr("&Change..."), this);
    m_edit->setObjectName(QStringLiteral("editRule"));
    m_remove = new QPushButton(tr("&Remove"), this);
    m_remove->setObjectName(QStringLiteral("removeRule"));
    auto* load = new QPushButton(tr("&Load..."), this);
    load->setObjectName(QStringLiteral("loadRules"));
    load->setToolTip(tr("Add the rules of a rules file (FIELD VALUE # reason, one a line; what webthreat --allow reads)"));
    auto* save = new QPushButton(tr("Sa&ve..."), this);
    save->setObjectName(QStringLiteral("saveRules"));
    save->setToolTip(tr("Write the rules as a rules file for webthreat analyze --allow"));
    buttons->addWidget(add, 0, 0);
    buttons->addWidget(m_edit, 0, 1);
    buttons->addWidget(m_remove, 0, 2);
    buttons->addWidget(load, 1, 0);
    buttons->addWidget(save, 1, 1);
    buttons->setColumnStretch(3, 1);
    layout->addLayout(buttons);
    m_edit->setEnabled(false);
    m_remove->setEnabled(false);

    connect(add, &QPushButton::clicked, this, &AllowListPanel::addRequested);
    connect(load, &QPushButton::clicked, this, &AllowListPanel::loadRequested);
    connect(save, &QPushButton::clicked, this, &AllowListPanel::saveRequested);
    connect(m_edit, &QPushButton::clicked, this, [this] {
        if (currentId() > 0)
            Q_EMIT editRequested(currentId());
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] {
        if (currentId() > 0)
            Q_EMIT editRequested(currentId());
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (currentId() > 0)
            Q_EMIT removeRequested(currentId());
    });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        m_edit->setEnabled(currentId() > 0);
        m_remove->setEnabled(currentId() > 0);
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_filling || item->column() != 0)
            return;
        Q_EMIT enabledChanged(item->data(Qt::UserRole).toLongLong(), item->checkState() == Qt::Checked);
    });
    connect(m_show, &QCheckBox::toggled, this, &AllowListPanel::showSuppressedChanged);
}

std::int64_t AllowListPanel::currentId() const
{
    const int row = m_table->currentRow();
    if (row < 0 || !m_table->item(row, 0) || m_table->selectedItems().isEmpty())
        return 0;
    return m_table->item(row, 0)->data(Qt::UserRole).toLongLong();
}

void AllowListPanel::setRules(const std::vector<StoredRule>& rules, std::shared_ptr<const Suppression> suppression,
                              std::size_t suppressedSuspicious)
{
    m_filling = true;
    const std::int64_t current = currentId();
    m_table->setRowCount(static_cast<int>(rules.size()));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const StoredRule& stored = rules[i];
        const int row = static_cast<int>(i);
        auto* on = new QTableWidgetItem;
        on->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        on->setCheckState(stored.rule.enabled ? Qt::Checked : Qt::Unchecked);
        on->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(stored.id));
        on->setToolTip(tr("Switch the rule off without removing it"));
        m_table->setItem(row, 0, on);
        auto* condition = new QTableWidgetItem(QString::fromStdString(stored.rule.condition()));
        m_table->setItem(row, 1, condition);
        m_table->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(stored.rule.reason)));
        const bool known = suppression && i < suppression->rowsPerRule.size();
        auto* count = new QTableWidgetItem(known ? formatCount(suppression->rowsPerRule[i]) : QString());
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, 3, count);
        if (stored.id == current)
            m_table->selectRow(row);
    }
    m_filling = false;
    std::size_t active = 0;
    for (const StoredRule& stored : rules)
        active += stored.rule.enabled ? 1 : 0;
    if (rules.empty())
        m_summary->setText(tr("No rules: every suspicious row is shown. Add what you know is fine (the office NAT, "
                              "the health checker, NTP) and it leaves the suspicious rows without a refit."));
    else if (!suppression)
        m_summary->setText(tr("%1 on; open data to see what they match")
                               .arg(countNoun(active, tr("rule"), tr("rules"))));
    else
        m_summary->setText(tr("%1 suppressed by %2 on (%3 matched in all)")
                               .arg(countNoun(suppressedSuspicious, tr("suspicious row"), tr("suspicious rows")),
                                    countNoun(active, tr("rule"), tr("rules")),
                                    countNoun(suppression->matchedRows, tr("row"), tr("rows"))));
    m_edit->setEnabled(currentId() > 0);
    m_remove->setEnabled(currentId() > 0);
}

bool AllowListPanel::showSuppressed() const
{
    return m_show->isChecked();
}

void AllowListPanel::setShowSuppressed(bool show)
{
    m_show->setChecked(show);
}

} // namespace webthreat
